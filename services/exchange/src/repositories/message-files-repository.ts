import type { Pool } from '@vanthu/platform';

/**
 * Which of these message files (by SHA-256) a row still names: an exchange's message (exchanges.edxml_sha256), or a
 * message in the exchange log (exchange_log.message_sha256, which also names the received statuses and the
 * messages an exchange replaced, whose bytes the log's verification reads back).
 */
export async function findReferencedMessages(pool: Pool, sha256s: readonly string[]): Promise<Set<string>> {
  if (sha256s.length === 0) return new Set();
  const { rows } = await pool.query<{ sha256: string }>(
    `SELECT edxml_sha256 AS sha256 FROM exchanges WHERE edxml_sha256 = ANY($1::text[])
     UNION
     SELECT message_sha256 FROM exchange_log WHERE message_sha256 = ANY($1::text[])`,
    [sha256s],
  );
  return new Set(rows.map((row) => row.sha256));
}
