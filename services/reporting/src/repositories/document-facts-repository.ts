import type { Tx } from '@vanthu/platform';

export async function upsertDocumentFact(
  tx: Tx,
  fact: { documentId: string; agencyCode: string; direction: string; createdAt: string; eventId: string },
): Promise<void> {
  // The inbox already removes duplicates; the key makes a replay from offset 0 harmless too.
  await tx.query(
    `INSERT INTO document_facts (document_id, agency_code, direction, created_at, event_id)
     VALUES ($1, $2, $3, $4, $5) ON CONFLICT (document_id) DO NOTHING`,
    [fact.documentId, fact.agencyCode, fact.direction, fact.createdAt, fact.eventId],
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
    `SELECT direction, count(*) AS count FROM document_facts
      WHERE agency_code = $1 AND created_at >= $2 AND created_at < $3 GROUP BY direction`,
    [agencyCode, from, to],
  );
  const counts: DirectionCounts = { outgoing: 0, incoming: 0, internal: 0 };
  for (const row of rows) counts[row.direction] = row.count;
  return counts;
}
