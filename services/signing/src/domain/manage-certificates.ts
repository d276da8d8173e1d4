import { randomUUID } from 'node:crypto';
import { AppError, enqueueEvent, hasRole, requireRole, withTransaction } from '@vanthu/platform';
import { certificateActivatedV1, certificateRegisteredV1 } from '@vanthu/contracts';
import type { CertificateActivatedV1, CertificateRegisteredV1 } from '@vanthu/contracts';
import { certificateDer } from '../pades/cms';
import { collectRevocation } from '../pades/revocation';
import {
  activateCertificate,
  adoption,
  certificatesOf,
  findCertificate,
  findCertificateBySha,
  insertCertificate,
} from '../repositories/certificates-repository';
import type { CertificateRow } from '../repositories/certificates-repository';
import { assertChainsToTrust, assertValidPeriod } from './check-certificate';
import { mapSigningErrors } from './map-signing-errors';
import { decodeCertificate } from './prepare-signing-session';
import { certificateSha256, certificateSubject } from './signing-deps';
import type { Caller, SigningDeps } from './signing-deps';

export type CertificateView = Omit<CertificateRow, 'der'> & { pem: string };

export const toView = (row: CertificateRow): CertificateView => {
  const { der, ...rest } = row;
  return {
    ...rest,
    pem: `-----BEGIN CERTIFICATE-----\n${der
      .toString('base64')
      .replace(/(.{64})/g, '$1\n')
      .trim()}\n-----END CERTIFICATE-----\n`,
  };
};

/** A user registers their own certificate: it must be in its validity period, chain to a trusted root and not be revoked. */
export async function registerCertificate(
  certificateText: string,
  caller: Caller,
  deps: SigningDeps,
): Promise<CertificateView> {
  const { identity } = caller;
  const certificate = decodeCertificate(certificateText);
  return mapSigningErrors(async () => {
    assertValidPeriod(certificate);
    const chain = await assertChainsToTrust(certificate, [], deps);
    try {
      await collectRevocation(chain, deps.pades.certificatePool, deps.pades.revocationTimeoutMs);
    } catch (error) {
      if (/revoked/.test((error as Error).message))
        throw new AppError('UNPROCESSABLE', 'this certificate is revoked', {
          errors: [{ field: 'certificate', message: 'revoked' }],
        });
      throw error;
    }
    return withTransaction(deps.pool, async (tx) => {
      const sha256 = certificateSha256(certificate);
      const existing = await findCertificateBySha(tx, sha256);
      if (existing) {
        if (existing.userId === identity.userId && existing.agencyCode === identity.agencyCode) return toView(existing);
        // The directives forbid handing a certificate to another person.
        throw new AppError('CONFLICT', 'this certificate is already registered to another person');
      }
      const row = await insertCertificate(tx, {
        id: randomUUID(),
        agencyCode: identity.agencyCode,
        userId: identity.userId,
        sha256,
        der: certificateDer(certificate),
        subject: certificateSubject(certificate),
        issuer: certificate.issuer.typesAndValues.map((t) => String(t.value.valueBlock.value)).join(', '),
        serialHex: Buffer.from(certificate.serialNumber.valueBlock.valueHexView).toString('hex'),
        notBefore: certificate.notBefore.value.toISOString(),
        notAfter: certificate.notAfter.value.toISOString(),
      });
      const event: CertificateRegisteredV1 = {
        certificateId: row.id,
        agencyCode: row.agencyCode,
        userId: row.userId,
        sha256,
        subject: row.subject,
        notAfter: row.notAfter,
        registeredAt: row.registeredAt,
      };
      await enqueueEvent(
        tx,
        certificateRegisteredV1,
        row.id,
        event,
        { source: deps.source, requestId: caller.requestId, agencyCode: row.agencyCode },
        deps.topicPrefix,
      );
      return toView(row);
    });
  });
}

export async function activateRegisteredCertificate(
  id: string,
  caller: Caller,
  deps: SigningDeps,
): Promise<CertificateView> {
  const { identity } = caller;
  requireRole(identity, 'admin');
  return withTransaction(deps.pool, async (tx) => {
    const row = await findCertificate(tx, identity.agencyCode, id);
    if (!row) throw new AppError('NOT_FOUND', `certificate ${id} not found`);
    if (row.status === 'active') return toView(row);
    if (row.status !== 'registered') throw new AppError('CONFLICT', `a ${row.status} certificate cannot be activated`);
    if (new Date(row.notAfter) < new Date()) throw new AppError('UNPROCESSABLE', 'the certificate has expired');
    const active = await activateCertificate(tx, id, identity.userId);
    const event: CertificateActivatedV1 = {
      certificateId: id,
      agencyCode: row.agencyCode,
      userId: row.userId,
      sha256: row.sha256,
      activatedBy: identity.userId,
      activatedAt: active.activatedAt ?? new Date().toISOString(),
    };
    await enqueueEvent(
      tx,
      certificateActivatedV1,
      id,
      event,
      { source: deps.source, requestId: caller.requestId, agencyCode: row.agencyCode },
      deps.topicPrefix,
    );
    return toView(active);
  });
}

/** Own certificates; administrators see their agency's. */
export async function listCertificates(caller: Caller, deps: SigningDeps): Promise<CertificateView[]> {
  const { identity } = caller;
  const rows = await withTransaction(deps.pool, (tx) =>
    certificatesOf(tx, identity.agencyCode, hasRole(identity, 'admin') ? undefined : identity.userId),
  );
  return rows.map(toView);
}

/** Staff with registered and with activated certificates, per agency (seed 000 deadlines). */
export async function certificateAdoption(
  agency: string | undefined,
  caller: Caller,
  deps: SigningDeps,
): Promise<{ agencyCode: string; registeredUsers: number; activeUsers: number }[]> {
  const { identity } = caller;
  requireRole(identity, 'admin', 'report-collector');
  // Administrators see their own agency; the report collector (Sở KH&CN) sees every agency.
  const scope = hasRole(identity, 'report-collector') ? agency : identity.agencyCode;
  return withTransaction(deps.pool, (tx) => adoption(tx, scope));
}
