import type { Tx } from '@vanthu/platform';

export type ExchangeLogEntry = {
  position: number;
  exchangeId: string;
  agencyCode: string;
  direction: string;
  messageKind: string;
  hub: string;
  transportId: string | null;
  edxmlDocumentId: string | null;
  messageSha256: string;
  outcome: string;
  at: Date;
  previousHash: string;
  entryHash: string;
};

const columns = `position, exchange_id, agency_code, direction, message_kind, hub, transport_id, edxml_document_id,
  message_sha256, outcome, at, previous_hash, entry_hash`;
const toEntry = (r: Record<string, unknown>): ExchangeLogEntry => ({
  position: Number(r.position),
  exchangeId: r.exchange_id as string,
  agencyCode: r.agency_code as string,
  direction: r.direction as string,
  messageKind: r.message_kind as string,
  hub: r.hub as string,
  transportId: (r.transport_id as string | null) ?? null,
  edxmlDocumentId: (r.edxml_document_id as string | null) ?? null,
  messageSha256: r.message_sha256 as string,
  outcome: r.outcome as string,
  at: r.at as Date,
  previousHash: r.previous_hash as string,
  entryHash: r.entry_hash as string,
});

/** The chain head, locked so appends are serialised and the chain never forks. */
export async function lockLogHead(tx: Tx): Promise<{ position: number; entryHash: string } | undefined> {
  await tx.query(`SELECT pg_advisory_xact_lock(hashtext('exchange_log'))`);
  const { rows } = await tx.query<{ position: string; entry_hash: string }>(
    'SELECT position, entry_hash FROM exchange_log ORDER BY position DESC LIMIT 1',
  );
  return rows[0] ? { position: Number(rows[0].position), entryHash: rows[0].entry_hash } : undefined;
}

export async function appendLogEntry(tx: Tx, entry: ExchangeLogEntry): Promise<ExchangeLogEntry> {
  const { rows } = await tx.query(
    `INSERT INTO exchange_log (${columns}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
     RETURNING ${columns}`,
    [
      entry.position,
      entry.exchangeId,
      entry.agencyCode,
      entry.direction,
      entry.messageKind,
      entry.hub,
      entry.transportId,
      entry.edxmlDocumentId,
      entry.messageSha256,
      entry.outcome,
      entry.at,
      entry.previousHash,
      entry.entryHash,
    ],
  );
  return toEntry(rows[0]!);
}

export async function listLogEntries(
  tx: Tx,
  query: { agencyCode?: string; exchangeId?: string; afterPosition?: number; limit: number },
): Promise<ExchangeLogEntry[]> {
  const { rows } = await tx.query(
    `SELECT ${columns} FROM exchange_log
      WHERE ($1::text IS NULL OR agency_code = $1) AND ($2::uuid IS NULL OR exchange_id = $2) AND position > $3
      ORDER BY position LIMIT $4`,
    [query.agencyCode ?? null, query.exchangeId ?? null, query.afterPosition ?? 0, query.limit],
  );
  return rows.map(toEntry);
}

export type LogAnchor = { position: number; headHash: string; token: Buffer; genTime: Date; tsa: string };

const toAnchor = (r: Record<string, unknown>): LogAnchor => ({
  position: Number(r.position),
  headHash: r.head_hash as string,
  token: r.token as Buffer,
  genTime: r.gen_time as Date,
  tsa: r.tsa as string,
});

/** The newest entry of the log (the chain head), without locking. */
export async function readLogHead(tx: Tx): Promise<{ position: number; entryHash: string } | undefined> {
  const { rows } = await tx.query<{ position: string; entry_hash: string }>(
    'SELECT position, entry_hash FROM exchange_log ORDER BY position DESC LIMIT 1',
  );
  return rows[0] ? { position: Number(rows[0].position), entryHash: rows[0].entry_hash } : undefined;
}

/** Keeps a time-stamp of the head at `position`; undefined when that head was anchored already. */
export async function insertLogAnchor(tx: Tx, anchor: LogAnchor & { at: Date }): Promise<LogAnchor | undefined> {
  const { rows } = await tx.query(
    `INSERT INTO exchange_log_anchors (position, head_hash, token, gen_time, tsa, created_at)
     VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (position) DO NOTHING
     RETURNING position, head_hash, token, gen_time, tsa`,
    [anchor.position, anchor.headHash, anchor.token, anchor.genTime, anchor.tsa, anchor.at],
  );
  return rows[0] ? toAnchor(rows[0]) : undefined;
}

export async function listLogAnchors(tx: Tx): Promise<LogAnchor[]> {
  const { rows } = await tx.query(
    'SELECT position, head_hash, token, gen_time, tsa FROM exchange_log_anchors ORDER BY position',
  );
  return rows.map(toAnchor);
}
