import type { Tx } from '@vanthu/platform';
import { upsertFact } from './upsert-fact';

// Every writer upserts only the columns its event owns (upsertFact: the first value is kept), so
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
  await upsertFact(tx, 'document_facts', 'document_id', {
    document_id: fact.documentId,
    agency_code: fact.agencyCode,
    direction: fact.direction,
    subject: fact.subject,
    created_by: fact.createdBy,
    created_at: fact.createdAt,
    event_id: fact.eventId,
  });
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
  await upsertFact(tx, 'document_facts', 'document_id', {
    document_id: fact.documentId,
    agency_code: fact.agencyCode,
    direction: fact.direction,
    notation: fact.notation,
    type_code: fact.typeCode,
    urgency: fact.urgency,
    registered_at: fact.registeredAt,
  });
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
  await upsertFact(tx, 'document_facts', 'document_id', {
    document_id: fact.documentId,
    agency_code: fact.agencyCode,
    direction: 'outgoing',
    notation: fact.notation,
    issued_version: fact.version,
    issued_by: fact.issuedBy,
    issued_at: fact.issuedAt,
  });
}

export async function recordDocumentRecalled(
  tx: Tx,
  fact: { documentId: string; agencyCode: string; direction: string; status: string; recalledAt: string },
): Promise<void> {
  await upsertFact(tx, 'document_facts', 'document_id', {
    document_id: fact.documentId,
    agency_code: fact.agencyCode,
    direction: fact.direction,
    recall_status: fact.status,
    recalled_at: fact.recalledAt,
  });
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
  // The copy event says what the copy is: its form, kind and source replace what an earlier event guessed.
  await upsertFact(
    tx,
    'document_facts',
    'document_id',
    {
      document_id: fact.copyDocumentId,
      agency_code: fact.agencyCode,
      direction: 'internal',
      form: fact.form,
      copy_kind: fact.kind,
      copy_source_document_id: fact.sourceDocumentId,
      notation: fact.notation,
      created_at: fact.createdAt,
    },
    { latest: ['form', 'copy_kind', 'copy_source_document_id'] },
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
