import { enqueueEvent } from '@vanthu/platform';
import type { Tx } from '@vanthu/platform';
import { certificateSuspendedV1 } from '@vanthu/contracts';
import type { CertificateSuspendedV1 } from '@vanthu/contracts';
import { insertCertificateAudit, markSuspended } from '../repositories/certificates-repository';
import type { CertificateRow } from '../repositories/certificates-repository';

export type Suspension = { cause: 'revoked' | 'expired'; revokedAt: Date | null; at: Date };
export type SuspensionMeta = { actor: string; requestId: string; source: string; topicPrefix: string };

/**
 * Suspends a certificate its CA revoked or that expired, in the caller's transaction, with its audit row
 * and the event certificate gating listens to. A suspended certificate cannot sign and is not "activated".
 */
export async function suspendCertificate(
  tx: Tx,
  row: CertificateRow,
  suspension: Suspension,
  meta: SuspensionMeta,
): Promise<CertificateRow> {
  const suspended = await markSuspended(tx, row.id, suspension);
  await insertCertificateAudit(tx, {
    certificateId: row.id,
    agencyCode: row.agencyCode,
    action: 'suspended',
    actor: meta.actor,
    holder: row.userId,
    reason: suspension.cause,
    requestId: meta.requestId,
  });
  const event: CertificateSuspendedV1 = {
    certificateId: row.id,
    agencyCode: row.agencyCode,
    userId: row.userId,
    sha256: row.sha256,
    cause: suspension.cause,
    revokedAt: suspension.revokedAt?.toISOString() ?? null,
    notAfter: row.notAfter,
    suspendedAt: suspension.at.toISOString(),
  };
  await enqueueEvent(
    tx,
    certificateSuspendedV1,
    row.id,
    event,
    { source: meta.source, requestId: meta.requestId, agencyCode: row.agencyCode },
    meta.topicPrefix,
  );
  return suspended;
}
