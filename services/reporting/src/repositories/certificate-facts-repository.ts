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
       sha256 = COALESCE(certificate_facts.sha256, EXCLUDED.sha256),
       subject = COALESCE(certificate_facts.subject, EXCLUDED.subject),
       not_after = COALESCE(certificate_facts.not_after, EXCLUDED.not_after),
       registered_at = COALESCE(certificate_facts.registered_at, EXCLUDED.registered_at)`,
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
       activated_by = COALESCE(certificate_facts.activated_by, EXCLUDED.activated_by),
       activated_at = COALESCE(certificate_facts.activated_at, EXCLUDED.activated_at)`,
    [fact.certificateId, fact.agencyCode, fact.userId, fact.activatedBy, fact.activatedAt],
  );
}
