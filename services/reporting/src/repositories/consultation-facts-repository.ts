import type { Tx } from '@vanthu/platform';

/** A consultation opened: its row and one row per member; answers already projected keep their columns. */
export async function recordConsultationOpened(
  tx: Tx,
  fact: {
    consultationId: string;
    agencyCode: string;
    documentId: string;
    members: string[];
    openedAt: string;
    dueAt: string;
  },
): Promise<void> {
  await tx.query(
    `INSERT INTO consultation_facts (consultation_id, agency_code, document_id, opened_at, due_at)
     VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (consultation_id) DO UPDATE
       SET agency_code = EXCLUDED.agency_code, document_id = EXCLUDED.document_id,
           opened_at = EXCLUDED.opened_at, due_at = EXCLUDED.due_at`,
    [fact.consultationId, fact.agencyCode, fact.documentId, fact.openedAt, fact.dueAt],
  );
  await tx.query(
    `INSERT INTO consultation_member_facts (consultation_id, member_user_id, agency_code, document_id, opened_at, due_at)
     SELECT $1, member, $2, $3, $4, $5 FROM unnest($6::text[]) AS member
     ON CONFLICT (consultation_id, member_user_id) DO UPDATE
       SET agency_code = EXCLUDED.agency_code, document_id = EXCLUDED.document_id,
           opened_at = EXCLUDED.opened_at, due_at = EXCLUDED.due_at`,
    [fact.consultationId, fact.agencyCode, fact.documentId, fact.openedAt, fact.dueAt, fact.members],
  );
}

/** A member's answer, with routing's on-time verdict; it may arrive before the opening (topics in any order). */
export async function recordConsultationAnswered(
  tx: Tx,
  fact: {
    consultationId: string;
    agencyCode: string;
    documentId: string;
    memberUserId: string;
    dueAt: string;
    onTime: boolean;
    answeredAt: string;
  },
): Promise<void> {
  await tx.query(
    `INSERT INTO consultation_member_facts (consultation_id, member_user_id, agency_code, document_id, due_at,
       answered_at, on_time)
     VALUES ($1, $2, $3, $4, $5, $6, $7)
     ON CONFLICT (consultation_id, member_user_id) DO UPDATE
       SET answered_at = EXCLUDED.answered_at, on_time = EXCLUDED.on_time,
           due_at = COALESCE(consultation_member_facts.due_at, EXCLUDED.due_at)`,
    [
      fact.consultationId,
      fact.memberUserId,
      fact.agencyCode,
      fact.documentId,
      fact.dueAt,
      fact.answeredAt,
      fact.onTime,
    ],
  );
}

export async function recordConsultationClosed(
  tx: Tx,
  fact: { consultationId: string; agencyCode: string; documentId: string; dueAt: string; closedAt: string },
): Promise<void> {
  await tx.query(
    `INSERT INTO consultation_facts (consultation_id, agency_code, document_id, due_at, closed_at)
     VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (consultation_id) DO UPDATE SET closed_at = EXCLUDED.closed_at`,
    [fact.consultationId, fact.agencyCode, fact.documentId, fact.dueAt, fact.closedAt],
  );
}
