import type { Tx } from '@vanthu/platform';

/** Every table built from events; a rebuild empties them all before replaying the topics. */
export const projectionTables = [
  // Kept by the projection's write batch from the facts it wrote (roll-up-repository.ts).
  'province_agencies',
  'signer_facts',
  'agency_month_documents',
  'agency_month_certificates',
  'document_facts',
  'signature_facts',
  'validation_facts',
  'certificate_facts',
  'process_facts',
  'task_facts',
  'consultation_facts',
  'consultation_member_facts',
  'exchange_facts',
] as const;

export async function emptyProjections(tx: Tx, consumer: string): Promise<void> {
  // The locks in the order the inbox consumer's own transaction takes them (its inbox row, whose trigger updates
  // inbox_positions, then the projection tables): taken the other way round, a rebuild and a consumer in the middle of
  // an event deadlock. Events that arrive meanwhile wait here and are counted after the rebuild's replay starts.
  await tx.query('LOCK TABLE inbox, inbox_positions IN SHARE ROW EXCLUSIVE MODE');
  await tx.query(`TRUNCATE ${projectionTables.join(', ')}`);
  // The consumer's inbox rows go too, or the replayed events would be skipped as duplicates.
  await tx.query('DELETE FROM inbox WHERE consumer = $1', [consumer]);
  await tx.query('DELETE FROM inbox_positions WHERE consumer = $1', [consumer]);
}

export type SourcePosition = { topic: string; lastProcessedAt: string; events: number };

/**
 * Up to which event each topic is counted: inbox_positions, which a trigger keeps with every inbox insert (the inbox
 * records every consumed event; scanning it on each report grew with every event ever counted).
 */
export async function sourcePositions(tx: Tx, consumer: string): Promise<SourcePosition[]> {
  const { rows } = await tx.query<{ topic: string; last: Date; events: string }>(
    `SELECT topic, max(last_processed_at) AS last, sum(events) AS events FROM inbox_positions WHERE consumer = $1
      GROUP BY topic ORDER BY topic`,
    [consumer],
  );
  return rows.map((row) => ({ topic: row.topic, lastProcessedAt: row.last.toISOString(), events: Number(row.events) }));
}

/** Dead letters not yet reprocessed: events the reports do not count. */
export async function countDeadLetters(tx: Tx, consumer: string): Promise<number> {
  const { rows } = await tx.query<{ n: string }>(
    'SELECT count(*) AS n FROM inbox_dead_letter WHERE consumer = $1 AND reprocessed_at IS NULL',
    [consumer],
  );
  return Number(rows[0]?.n ?? 0);
}

export type PartitionPosition = {
  topic: string;
  partition: number;
  lastOffset: string;
  lastProcessedAt: string;
};

/** The last event counted on each partition (the highest inbox offset, kept in inbox_positions). */
export async function partitionPositions(tx: Tx, consumer: string): Promise<PartitionPosition[]> {
  const { rows } = await tx.query<{ topic: string; kafka_partition: number; last_offset: string; last: Date }>(
    `SELECT topic, kafka_partition, last_offset::text AS last_offset, last_processed_at AS last
       FROM inbox_positions WHERE consumer = $1 ORDER BY topic, kafka_partition`,
    [consumer],
  );
  return rows.map((row) => ({
    topic: row.topic,
    partition: row.kafka_partition,
    lastOffset: row.last_offset,
    lastProcessedAt: row.last.toISOString(),
  }));
}

/** Dead-lettered events are read too: their offset is as far as the consumer got on that partition. */
export async function deadLetterPositions(
  tx: Tx,
  consumer: string,
): Promise<{ topic: string; partition: number; lastOffset: string }[]> {
  const { rows } = await tx.query<{ topic: string; kafka_partition: number; last_offset: string }>(
    `SELECT topic, kafka_partition, max(kafka_offset)::text AS last_offset
       FROM inbox_dead_letter WHERE consumer = $1 GROUP BY topic, kafka_partition`,
    [consumer],
  );
  return rows.map((row) => ({ topic: row.topic, partition: row.kafka_partition, lastOffset: row.last_offset }));
}
