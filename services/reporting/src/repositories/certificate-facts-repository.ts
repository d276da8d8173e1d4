import type { Tx } from '@vanthu/platform';

export async function recordCertificateRegistered(
  tx: Tx,
  fact: {
    certificateId: string;
    agencyCode: string;
    userId: string;
    sha256: string;
    subject: string;
    notAfter: string;
    registeredAt: string;
  },
): Promise<void> {
  await tx.query(
    `INSERT INTO certificate_facts (certificate_id, agency_code, user_id, sha256, subject, not_after, registered_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7)
     ON CONFLICT (certificate_id) DO UPDATE SET
       user_id = CASE WHEN certificate_facts.registered_at IS NULL OR EXCLUDED.registered_at > certificate_facts.registered_at
                      THEN EXCLUDED.user_id ELSE certificate_facts.user_id END,
       sha256 = COALESCE(certificate_facts.sha256, EXCLUDED.sha256),
       subject = COALESCE(certificate_facts.subject, EXCLUDED.subject),
       not_after = COALESCE(certificate_facts.not_after, EXCLUDED.not_after),
       -- A released certificate may be registered again: the latest registration is the current one.
       registered_at = GREATEST(certificate_facts.registered_at, EXCLUDED.registered_at)`,
    [fact.certificateId, fact.agencyCode, fact.userId, fact.sha256, fact.subject, fact.notAfter, fact.registeredAt],
  );
}

export async function recordCertificateActivated(
  tx: Tx,
  fact: { certificateId: string; agencyCode: string; userId: string; activatedBy: string; activatedAt: string },
): Promise<void> {
  await tx.query(
    `INSERT INTO certificate_facts (certificate_id, agency_code, user_id, activated_by, activated_at)
     VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (certificate_id) DO UPDATE SET
       activated_by = CASE WHEN certificate_facts.activated_at IS NULL OR EXCLUDED.activated_at > certificate_facts.activated_at
                           THEN EXCLUDED.activated_by ELSE certificate_facts.activated_by END,
       activated_at = GREATEST(certificate_facts.activated_at, EXCLUDED.activated_at)`,
    [fact.certificateId, fact.agencyCode, fact.userId, fact.activatedBy, fact.activatedAt],
  );
}

/** Unregistered by its holder or an administrator, or suspended (revoked or expired): no longer usable. */
export async function recordCertificateEnded(
  tx: Tx,
  fact: { certificateId: string; agencyCode: string; userId: string; reason: string; endedAt: string },
): Promise<void> {
  await tx.query(
    `INSERT INTO certificate_facts (certificate_id, agency_code, user_id, ended_at, ended_reason)
     VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (certificate_id) DO UPDATE SET
       ended_reason = CASE WHEN certificate_facts.ended_at IS NULL OR EXCLUDED.ended_at > certificate_facts.ended_at
                           THEN EXCLUDED.ended_reason ELSE certificate_facts.ended_reason END,
       ended_at = GREATEST(certificate_facts.ended_at, EXCLUDED.ended_at)`,
    [fact.certificateId, fact.agencyCode, fact.userId, fact.endedAt, fact.reason],
  );
}

export async function recordCertificateReassigned(
  tx: Tx,
  fact: { certificateId: string; agencyCode: string; toUserId: string; reassignedAt: string },
): Promise<void> {
  await tx.query(
    `INSERT INTO certificate_facts (certificate_id, agency_code, user_id, holder_since)
     VALUES ($1, $2, $3, $4)
     ON CONFLICT (certificate_id) DO UPDATE SET
       user_id = CASE WHEN certificate_facts.holder_since IS NULL OR EXCLUDED.holder_since > certificate_facts.holder_since
                      THEN EXCLUDED.user_id ELSE certificate_facts.user_id END,
       holder_since = GREATEST(certificate_facts.holder_since, EXCLUDED.holder_since)`,
    [fact.certificateId, fact.agencyCode, fact.toUserId, fact.reassignedAt],
  );
}
