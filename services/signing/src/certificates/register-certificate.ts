import { randomUUID } from 'node:crypto';
import { AppError, enqueueEvent } from '@vanthu/platform';
import type { Mutation, Tx } from '@vanthu/platform';
import { certificateRegisteredV1 } from '@vanthu/contracts';
import type { CertificateRegisteredV1 } from '@vanthu/contracts';
import {
  findCertificateBySha,
  insertCertificate,
  insertCertificateAudit,
  openHolding,
  reopenCertificate,
} from '../repositories/certificates-repository';
import type { CertificateRow } from '../repositories/certificates-repository';
import { eventMeta } from '../context';
import type { SigningContext } from '../context';
import { assertAcceptableCertificate } from './check-certificate';
import { toView } from './certificate-view';
import type { CertificateView } from './certificate-view';
import { mapSigningErrors } from '../signatures/map-signing-errors';
import { decodeCertificate } from '../signatures/prepare-signing-session';
import { issuerText, serialHexOf, subjectText, validityOf } from '../x509/certificate';

export type RegisterCertificateInput = { certificate: string };

/** PostgreSQL's unique_violation: another request registered the same certificate at the same moment. */
const isUniqueViolation = (error: unknown): boolean => (error as { code?: unknown }).code === '23505';

/**
 * A user registers their own certificate: it must be in its validity period, chain to a trusted root and
 * not be revoked. Registering it again is idempotent; a certificate another person holds is refused until
 * its holder or an administrator releases it (or an administrator reassigns it); a released one is taken
 * up by the new holder, its history kept.
 */
export async function registerCertificate(
  input: RegisterCertificateInput,
  ctx: SigningContext,
): Promise<Mutation<CertificateView>> {
  const { identity, signing } = ctx;
  const certificate = decodeCertificate(input.certificate);
  return mapSigningErrors(async () => {
    const at = ctx.clock();
    await assertAcceptableCertificate(certificate, [], signing, at);
    const sha256 = certificate.sha256;
    try {
      return await ctx.runInTransaction(async (tx) => {
        const existing = await findCertificateBySha(tx, sha256, { lock: true });
        if (!existing) {
          const row = await insertCertificate(tx, {
            id: randomUUID(),
            agencyCode: identity.agencyCode,
            userId: identity.userId,
            sha256,
            der: certificate.der,
            subject: subjectText(certificate),
            issuer: issuerText(certificate),
            serialHex: serialHexOf(certificate),
            notBefore: validityOf(certificate).notBefore.toISOString(),
            notAfter: validityOf(certificate).notAfter.toISOString(),
          });
          return toView(await recordRegistration(tx, row, null, ctx));
        }
        const mine = existing.userId === identity.userId && existing.agencyCode === identity.agencyCode;
        if (mine && (existing.status === 'registered' || existing.status === 'active')) return toView(existing);
        if (existing.status === 'unregistered') {
          const row = await reopenCertificate(tx, existing.id, {
            agencyCode: identity.agencyCode,
            userId: identity.userId,
          });
          return toView(await recordRegistration(tx, row, existing.userId, ctx));
        }
        if (existing.status === 'registered' || existing.status === 'active')
          // The directives forbid handing a certificate to another person without a recorded decision.
          throw new AppError(
            'CONFLICT',
            'this certificate is registered to another person; its holder or an administrator must unregister it first (POST /v1/certificates/{id}/unregister), or an administrator reassigns it',
          );
        throw new AppError('UNPROCESSABLE', `this certificate is ${existing.status} and cannot be registered again`, {
          errors: [{ field: 'certificate', message: existing.status }],
        });
      });
    } catch (error) {
      if (isUniqueViolation(error))
        throw new AppError('CONFLICT', 'this certificate was registered by another request at the same time', {
          cause: error,
        });
      throw error;
    }
  });
}

async function recordRegistration(
  tx: Tx,
  row: CertificateRow,
  previousHolder: string | null,
  ctx: SigningContext,
): Promise<CertificateRow> {
  await openHolding(tx, { id: randomUUID(), certificateId: row.id, agencyCode: row.agencyCode, userId: row.userId });
  await insertCertificateAudit(tx, {
    certificateId: row.id,
    agencyCode: row.agencyCode,
    action: 'registered',
    actor: ctx.identity.userId,
    holder: row.userId,
    previousHolder,
    requestId: ctx.requestId,
  });
  const event: CertificateRegisteredV1 = {
    certificateId: row.id,
    agencyCode: row.agencyCode,
    userId: row.userId,
    sha256: row.sha256,
    subject: row.subject,
    notAfter: row.notAfter,
    registeredAt: row.registeredAt,
  };
  await enqueueEvent(
    tx,
    certificateRegisteredV1,
    row.id,
    event,
    eventMeta(ctx, row.agencyCode),
    ctx.signing.topicPrefix,
  );
  return row;
}
