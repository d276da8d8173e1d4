import type { SigningKeyRow } from '../repositories/signing-keys-repository';
import { csrPem } from './certification-request';

const pem = (label: string, der: Buffer): string =>
  `-----BEGIN ${label}-----\n${(der.toString('base64').match(/.{1,64}/g) ?? []).join('\n')}\n-----END ${label}-----\n`;

/** A seal key as administrators see it: never key material beyond the public half, the request and the certificate. */
export function toSigningKeyView(row: SigningKeyRow) {
  return {
    id: row.id,
    agencyCode: row.agencyCode,
    status: row.status,
    keyIdHex: row.keyIdHex,
    keyLabel: row.keyLabel,
    algorithm: row.algorithm,
    subject: row.subject,
    csr: csrPem(row.csrDer),
    publicKey: pem('PUBLIC KEY', row.publicKeyDer),
    rotatesKeyId: row.rotatesKeyId,
    certificate:
      row.certificateDer && row.certificateSha256
        ? {
            pem: pem('CERTIFICATE', row.certificateDer),
            sha256: row.certificateSha256,
            subject: row.certificateSubject ?? '',
            issuer: row.certificateIssuer ?? '',
            serialHex: row.certificateSerialHex ?? '',
            notBefore: row.notBefore ?? '',
            notAfter: row.notAfter ?? '',
          }
        : null,
    generatedBy: row.generatedBy,
    generatedAt: row.generatedAt,
    activatedBy: row.activatedBy,
    activatedAt: row.activatedAt,
    retiredBy: row.retiredBy,
    retiredAt: row.retiredAt,
    retirementReason: row.retirementReason,
  };
}
export type SigningKeyView = ReturnType<typeof toSigningKeyView>;
