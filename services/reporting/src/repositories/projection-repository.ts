import type { Tx } from '@vanthu/platform';

/** Every table built from events; a rebuild empties them all before replaying the topics. */
export const projectionTables = [
  'document_facts',
  'signature_facts',
  'validation_facts',
  'certificate_facts',
  'process_facts',
  'task_facts',
  'consultation_facts',
  'exchange_facts',
] as const;

export async function emptyProjections(tx: Tx, consumer: string): Promise<void> {
  await tx.query(`TRUNCATE ${projectionTables.join(', ')}`);
  // The consumer's inbox rows go too, or the replayed events would be skipped as duplicates.
  await tx.query('DELETE FROM inbox WHERE consumer = $1', [consumer]);
}

export type SourcePosition = { topic: string; lastProcessedAt: string; events: number };

/** Up to which event each topic is counted (the inbox records every consumed event). */
export async function sourcePositions(tx: Tx, consumer: string): Promise<SourcePosition[]> {
  const { rows } = await tx.query<{ topic: string; last: Date; events: string }>(
    `SELECT topic, max(processed_at) AS last, count(*) AS events FROM inbox WHERE consumer = $1 GROUP BY topic
      ORDER BY topic`,
    [consumer],
  );
  return rows.map((row) => ({ topic: row.topic, lastProcessedAt: row.last.toISOString(), events: Number(row.events) }));
}

export async function countDeadLetters(tx: Tx, consumer: string): Promise<number> {
  const { rows } = await tx.query<{ n: string }>('SELECT count(*) AS n FROM inbox_dead_letter WHERE consumer = $1', [
    consumer,
  ]);
  return Number(rows[0]?.n ?? 0);
}
