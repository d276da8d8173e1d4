import type { Tx } from '@vanthu/platform';

// Every writer upserts only the columns its event owns (COALESCE keeps the first value), so
// a replay, a duplicate or events read in another order leave the same row.

export async function recordDocumentCreated(
  tx: Tx,
  fact: {
    documentId: string;
    agencyCode: string;
    direction: string;
    subject: string;
    createdBy: string;
    createdAt: string;
    eventId: string;
  },
): Promise<void> {
  await tx.query(
    `INSERT INTO document_facts (document_id, agency_code, direction, subject, created_by, created_at, event_id)
     VALUES ($1, $2, $3, $4, $5, $6, $7)
     ON CONFLICT (document_id) DO UPDATE SET
       direction = COALESCE(document_facts.direction, EXCLUDED.direction),
       subject = COALESCE(document_facts.subject, EXCLUDED.subject),
       created_by = COALESCE(document_facts.created_by, EXCLUDED.created_by),
       created_at = COALESCE(document_facts.created_at, EXCLUDED.created_at),
       event_id = COALESCE(document_facts.event_id, EXCLUDED.event_id)`,
    [fact.documentId, fact.agencyCode, fact.direction, fact.subject, fact.createdBy, fact.createdAt, fact.eventId],
  );
}

export async function recordDocumentRegistered(
  tx: Tx,
  fact: {
    documentId: string;
    agencyCode: string;
    direction: string;
    notation: string;
    typeCode: string | null;
    urgency: string;
    registeredAt: string;
  },
): Promise<void> {
  await tx.query(
    `INSERT INTO document_facts (document_id, agency_code, direction, notation, type_code, urgency, registered_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7)
     ON CONFLICT (document_id) DO UPDATE SET
       direction = COALESCE(document_facts.direction, EXCLUDED.direction),
       notation = COALESCE(document_facts.notation, EXCLUDED.notation),
       type_code = COALESCE(document_facts.type_code, EXCLUDED.type_code),
       urgency = COALESCE(document_facts.urgency, EXCLUDED.urgency),
       registered_at = COALESCE(document_facts.registered_at, EXCLUDED.registered_at)`,
    [fact.documentId, fact.agencyCode, fact.direction, fact.notation, fact.typeCode, fact.urgency, fact.registeredAt],
  );
}

export async function recordDocumentIssued(
  tx: Tx,
  fact: {
    documentId: string;
    agencyCode: string;
    notation: string;
    version: number;
    issuedBy: string;
    issuedAt: string;
  },
): Promise<void> {
  // Only registered outgoing documents are issued (NĐ 30/2020 Điều 16).
  await tx.query(
    `INSERT INTO document_facts (document_id, agency_code, direction, notation, issued_version, issued_by, issued_at)
     VALUES ($1, $2, 'outgoing', $3, $4, $5, $6)
     ON CONFLICT (document_id) DO UPDATE SET
       direction = COALESCE(document_facts.direction, EXCLUDED.direction),
       notation = COALESCE(document_facts.notation, EXCLUDED.notation),
       issued_version = COALESCE(document_facts.issued_version, EXCLUDED.issued_version),
       issued_by = COALESCE(document_facts.issued_by, EXCLUDED.issued_by),
       issued_at = COALESCE(document_facts.issued_at, EXCLUDED.issued_at)`,
    [fact.documentId, fact.agencyCode, fact.notation, fact.version, fact.issuedBy, fact.issuedAt],
  );
}

export async function recordDocumentRecalled(
  tx: Tx,
  fact: { documentId: string; agencyCode: string; direction: string; status: string; recalledAt: string },
): Promise<void> {
  await tx.query(
    `INSERT INTO document_facts (document_id, agency_code, direction, recall_status, recalled_at)
     VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (document_id) DO UPDATE SET
       direction = COALESCE(document_facts.direction, EXCLUDED.direction),
       recall_status = COALESCE(document_facts.recall_status, EXCLUDED.recall_status),
       recalled_at = COALESCE(document_facts.recalled_at, EXCLUDED.recalled_at)`,
    [fact.documentId, fact.agencyCode, fact.direction, fact.status, fact.recalledAt],
  );
}

export async function recordCopyMade(
  tx: Tx,
  fact: {
    copyDocumentId: string;
    agencyCode: string;
    sourceDocumentId: string | null;
    kind: string;
    form: 'electronic' | 'paper' | 'digitised';
    notation: string;
    createdAt: string;
  },
): Promise<void> {
  await tx.query(
    `INSERT INTO document_facts (document_id, agency_code, direction, form, copy_kind, copy_source_document_id, notation,
                                 created_at)
     VALUES ($1, $2, 'internal', $3, $4, $5, $6, $7)
     ON CONFLICT (document_id) DO UPDATE SET
       form = EXCLUDED.form,
       copy_kind = EXCLUDED.copy_kind,
       copy_source_document_id = EXCLUDED.copy_source_document_id,
       notation = COALESCE(document_facts.notation, EXCLUDED.notation),
       created_at = COALESCE(document_facts.created_at, EXCLUDED.created_at)`,
    [fact.copyDocumentId, fact.agencyCode, fact.form, fact.kind, fact.sourceDocumentId, fact.notation, fact.createdAt],
  );
}

export type DirectionCounts = { outgoing: number; incoming: number; internal: number };

export async function countDocumentsByDirection(
  tx: Tx,
  agencyCode: string,
  from: string,
  to: string,
): Promise<DirectionCounts> {
  const { rows } = await tx.query<{ direction: keyof DirectionCounts; count: number }>(
    `SELECT direction, count(*)::int AS count FROM document_facts
      WHERE agency_code = $1 AND created_at >= $2 AND created_at < $3 AND direction IS NOT NULL GROUP BY direction`,
    [agencyCode, from, to],
  );
  const counts: DirectionCounts = { outgoing: 0, incoming: 0, internal: 0 };
  for (const row of rows) counts[row.direction] = Number(row.count);
  return counts;
}
