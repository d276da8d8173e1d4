import type { Tx } from '@vanthu/platform';

export type ExchangeDirection = 'sent' | 'received';
export type ExchangeState =
  'queued' | 'sent' | 'failed' | 'received' | 'rejected' | 'returned' | 'awaiting-answer' | 'answered';

/** The clerk's answer to a recall, update or replacement. */
export type ExchangeAnswer = { decision: 'agree' | 'refuse'; reason: string; answeredBy: string; answeredAt: string };

export type ExchangeRow = {
  id: string;
  direction: ExchangeDirection;
  agencyCode: string;
  deliveryId: string | null;
  documentId: string | null;
  documentVersion: number | null;
  hub: string;
  edxmlDocumentId: string | null;
  businessDocType: number;
  counterparts: { organId: string; organName?: string }[];
  state: ExchangeState;
  transportId: string | null;
  edxmlSha256: string | null;
  problems: unknown[];
  lastError: string | null;
  createdAt: Date;
  updatedAt: Date;
  sentAt: Date | null;
  receivedAt: Date | null;
  relatedExchangeId: string | null;
  answer: ExchangeAnswer | null;
  /** The message's signature (SignatureInfo of the parser), as verified on receipt or made on sending. */
  signature: Record<string, unknown> | null;
};

export type ExchangeStatusRow = {
  id: number;
  exchangeId: string;
  direction: ExchangeDirection;
  organId: string;
  statusCode: string;
  description: string;
  at: Date;
  transportId: string | null;
};

const columns = `id, direction, agency_code, delivery_id, document_id, document_version, hub, edxml_document_id,
  business_doc_type, counterparts, state, transport_id, edxml_sha256, problems, last_error, created_at, updated_at,
  sent_at, received_at, related_exchange_id, answer, signature`;

type Raw = Record<string, unknown>;
const toExchange = (r: Raw): ExchangeRow => ({
  id: r.id as string,
  direction: r.direction as ExchangeDirection,
  agencyCode: r.agency_code as string,
  deliveryId: (r.delivery_id as string | null) ?? null,
  documentId: (r.document_id as string | null) ?? null,
  documentVersion: (r.document_version as number | null) ?? null,
  hub: r.hub as string,
  edxmlDocumentId: (r.edxml_document_id as string | null) ?? null,
  businessDocType: r.business_doc_type as number,
  counterparts: r.counterparts as ExchangeRow['counterparts'],
  state: r.state as ExchangeState,
  transportId: (r.transport_id as string | null) ?? null,
  edxmlSha256: (r.edxml_sha256 as string | null) ?? null,
  problems: r.problems as unknown[],
  lastError: (r.last_error as string | null) ?? null,
  createdAt: r.created_at as Date,
  updatedAt: r.updated_at as Date,
  sentAt: (r.sent_at as Date | null) ?? null,
  receivedAt: (r.received_at as Date | null) ?? null,
  relatedExchangeId: (r.related_exchange_id as string | null) ?? null,
  answer: (r.answer as ExchangeAnswer | null) ?? null,
  signature: (r.signature as Record<string, unknown> | null) ?? null,
});
const toStatus = (r: Raw): ExchangeStatusRow => ({
  id: Number(r.id),
  exchangeId: r.exchange_id as string,
  direction: r.direction as ExchangeDirection,
  organId: r.organ_id as string,
  statusCode: r.status_code as string,
  description: r.description as string,
  at: r.at as Date,
  transportId: (r.transport_id as string | null) ?? null,
});

/** Inserts an outgoing exchange for a delivery; undefined when the delivery already has one. */
export async function insertOutgoingExchange(
  tx: Tx,
  row: {
    id: string;
    agencyCode: string;
    deliveryId: string;
    documentId: string;
    documentVersion: number;
    hub: string;
    counterparts: { organId: string; organName?: string }[];
    at: Date;
  },
): Promise<ExchangeRow | undefined> {
  const { rows } = await tx.query(
    `INSERT INTO exchanges (id, direction, agency_code, delivery_id, document_id, document_version, hub, counterparts,
                            state, created_at, updated_at)
     VALUES ($1, 'sent', $2, $3, $4, $5, $6, $7, 'queued', $8, $8)
     ON CONFLICT (delivery_id) WHERE delivery_id IS NOT NULL DO NOTHING
     RETURNING ${columns}`,
    [
      row.id,
      row.agencyCode,
      row.deliveryId,
      row.documentId,
      row.documentVersion,
      row.hub,
      JSON.stringify(row.counterparts),
      row.at,
    ],
  );
  return rows[0] ? toExchange(rows[0]) : undefined;
}

/** Inserts a received exchange; undefined when this hub message was already received for the agency. */
export async function insertReceivedExchange(
  tx: Tx,
  row: {
    id: string;
    agencyCode: string;
    hub: string;
    transportId: string;
    /** The message, stored in MESSAGE_DIR under its SHA-256. */
    message: { sha256: string; sizeBytes: number };
    edxmlDocumentId: string | null;
    businessDocType: number;
    counterparts: { organId: string; organName?: string }[];
    state: 'received' | 'rejected' | 'awaiting-answer';
    problems: unknown[];
    lastError?: string;
    relatedExchangeId?: string;
    documentId?: string | null;
    signature?: Record<string, unknown>;
    at: Date;
  },
): Promise<ExchangeRow | undefined> {
  const { rows } = await tx.query(
    `INSERT INTO exchanges (id, direction, agency_code, hub, transport_id, edxml_in_file, edxml_bytes, edxml_sha256,
                            edxml_document_id, business_doc_type, counterparts, state, problems, last_error, created_at,
                            updated_at, received_at, related_exchange_id, document_id, signature)
     VALUES ($1, 'received', $2, $3, $4, true, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13, $13, $14, $15, $16)
     ON CONFLICT (agency_code, hub, transport_id) WHERE direction = 'received' AND transport_id IS NOT NULL DO NOTHING
     RETURNING ${columns}`,
    [
      row.id,
      row.agencyCode,
      row.hub,
      row.transportId,
      row.message.sizeBytes,
      row.message.sha256,
      row.edxmlDocumentId,
      row.businessDocType,
      JSON.stringify(row.counterparts),
      row.state,
      JSON.stringify(row.problems),
      row.lastError ?? null,
      row.at,
      row.relatedExchangeId ?? null,
      row.documentId ?? null,
      row.signature ? JSON.stringify(row.signature) : null,
    ],
  );
  return rows[0] ? toExchange(rows[0]) : undefined;
}

/**
 * A recall, update or replacement this agency sends about one of its sent exchanges, with its edXML built
 * already (from the original message); undefined when one was queued for that exchange before.
 */
export async function insertBusinessExchange(
  tx: Tx,
  row: {
    id: string;
    original: ExchangeRow;
    businessDocType: 1 | 2 | 3;
    /** The message, stored in MESSAGE_DIR under its SHA-256. */
    message: { sha256: string; sizeBytes: number };
    at: Date;
    /** An update or replacement carries a document version (or another document) of its own. */
    carried?: { documentId: string; documentVersion: number; edxmlDocumentId: string };
    signature?: Record<string, unknown>;
  },
): Promise<ExchangeRow | undefined> {
  const { rows } = await tx.query(
    `INSERT INTO exchanges (id, direction, agency_code, document_id, document_version, hub, edxml_in_file, edxml_bytes,
                            edxml_sha256, edxml_document_id, business_doc_type, counterparts, state, created_at,
                            updated_at, related_exchange_id, signature)
     SELECT $1, 'sent', $2, $3, $4, $5, true, $6, $7, $8, $9, $10, 'queued', $11, $11, $12, $13
      WHERE NOT EXISTS (SELECT 1 FROM exchanges WHERE related_exchange_id = $12 AND business_doc_type = $9
                           AND direction = 'sent' AND state <> 'failed'
                           AND ($9 <> 2 OR document_version IS NOT DISTINCT FROM $4))
     RETURNING ${columns}`,
    [
      row.id,
      row.original.agencyCode,
      row.carried?.documentId ?? row.original.documentId,
      row.carried?.documentVersion ?? row.original.documentVersion,
      row.original.hub,
      row.message.sizeBytes,
      row.message.sha256,
      row.carried?.edxmlDocumentId ?? row.original.edxmlDocumentId,
      row.businessDocType,
      JSON.stringify(row.original.counterparts),
      row.at,
      row.original.id,
      row.signature ? JSON.stringify(row.signature) : null,
    ],
  );
  return rows[0] ? toExchange(rows[0]) : undefined;
}

// A received exchange that is an incoming document here: a new document, or a replacement the clerk agreed to.
const receivedDocumentExchange = `(business_doc_type = 0
  OR business_doc_type = 3 AND state = 'answered' AND answer->>'decision' = 'agree')`;

/** The received exchange (a new document or an agreed replacement, not a recall) that became this incoming document. */
export async function findReceivedExchangeOfDocument(
  tx: Tx,
  agencyCode: string,
  documentId: string,
): Promise<ExchangeRow | undefined> {
  const { rows } = await tx.query(
    `SELECT ${columns} FROM exchanges
      WHERE agency_code = $1 AND document_id = $2 AND direction = 'received' AND ${receivedDocumentExchange}
      ORDER BY created_at LIMIT 1`,
    [agencyCode, documentId],
  );
  return rows[0] ? toExchange(rows[0]) : undefined;
}

/** The received new-document exchange with this edXML DocumentId (what a recall or update points at). */
export async function findReceivedExchangeByEdxmlId(
  tx: Tx,
  agencyCode: string,
  edxmlDocumentId: string,
): Promise<ExchangeRow | undefined> {
  const { rows } = await tx.query(
    `SELECT ${columns} FROM exchanges
      WHERE agency_code = $1 AND edxml_document_id = $2 AND direction = 'received'
        AND (business_doc_type = 0 AND state IN ('received', 'returned')
             OR business_doc_type = 3 AND state = 'answered' AND answer->>'decision' = 'agree')
      ORDER BY created_at LIMIT 1`,
    [agencyCode, edxmlDocumentId],
  );
  return rows[0] ? toExchange(rows[0]) : undefined;
}

/** The outgoing new-document exchanges of an issued document, queued or accepted by the hub. */
export async function listSentExchangesOfDocument(
  tx: Tx,
  agencyCode: string,
  documentId: string,
): Promise<ExchangeRow[]> {
  const { rows } = await tx.query(
    `SELECT ${columns} FROM exchanges
      WHERE agency_code = $1 AND document_id = $2 AND direction = 'sent' AND business_doc_type = 0
        AND state IN ('queued', 'sent')
      ORDER BY created_at`,
    [agencyCode, documentId],
  );
  return rows.map(toExchange);
}

/** Locks an exchange of the agency for a state change (the clerk's answer, a return). */
export async function lockExchange(tx: Tx, id: string, agencyCode: string): Promise<ExchangeRow | undefined> {
  const { rows } = await tx.query(`SELECT ${columns} FROM exchanges WHERE id = $1 AND agency_code = $2 FOR UPDATE`, [
    id,
    agencyCode,
  ]);
  return rows[0] ? toExchange(rows[0]) : undefined;
}

export async function setExchangeState(
  tx: Tx,
  id: string,
  change: { state: ExchangeState; at: Date; answer?: ExchangeAnswer; lastError?: string },
): Promise<ExchangeRow> {
  const { rows } = await tx.query(
    `UPDATE exchanges SET state = $2, updated_at = $3, answer = COALESCE($4, answer), last_error = COALESCE($5, last_error)
      WHERE id = $1 RETURNING ${columns}`,
    [id, change.state, change.at, change.answer ? JSON.stringify(change.answer) : null, change.lastError ?? null],
  );
  return toExchange(rows[0]!);
}

export async function findExchange(tx: Tx, id: string, agencyCode?: string): Promise<ExchangeRow | undefined> {
  const { rows } = await tx.query(
    `SELECT ${columns} FROM exchanges WHERE id = $1 AND ($2::text IS NULL OR agency_code = $2)`,
    [id, agencyCode ?? null],
  );
  return rows[0] ? toExchange(rows[0]) : undefined;
}

export async function findSentExchangeByEdxmlId(
  tx: Tx,
  agencyCode: string,
  edxmlDocumentId: string,
): Promise<ExchangeRow | undefined> {
  const { rows } = await tx.query(
    `SELECT ${columns} FROM exchanges
      WHERE agency_code = $1 AND edxml_document_id = $2 AND direction = 'sent' AND business_doc_type IN (0, 3)
      ORDER BY created_at DESC LIMIT 1`,
    [agencyCode, edxmlDocumentId],
  );
  return rows[0] ? toExchange(rows[0]) : undefined;
}

/**
 * Where an exchange's message is: a file of MESSAGE_DIR named by its SHA-256, or, for a row written before
 * messages moved to files, its bytes in the row. Undefined while an outgoing message is not built yet.
 */
export type MessageLocation = { sha256: string; inFile: true } | { sha256: string; inFile: false; bytes: Buffer };

export async function readExchangeMessage(tx: Tx, id: string): Promise<MessageLocation | undefined> {
  const { rows } = await tx.query<{ edxml_in_file: boolean; edxml_sha256: string | null; edxml: Buffer | null }>(
    `SELECT edxml_in_file, edxml_sha256, CASE WHEN edxml_in_file THEN NULL ELSE edxml END AS edxml
       FROM exchanges WHERE id = $1`,
    [id],
  );
  const row = rows[0];
  if (!row?.edxml_sha256) return undefined;
  if (row.edxml_in_file) return { sha256: row.edxml_sha256, inFile: true };
  return row.edxml ? { sha256: row.edxml_sha256, inFile: false, bytes: row.edxml } : undefined;
}

export async function storeBuiltMessage(
  tx: Tx,
  id: string,
  message: {
    stored: { sha256: string; sizeBytes: number };
    edxmlDocumentId: string;
    at: Date;
    signature?: Record<string, unknown>;
  },
): Promise<void> {
  await tx.query(
    `UPDATE exchanges SET edxml = NULL, edxml_in_file = true, edxml_bytes = $6, edxml_sha256 = $2,
                          edxml_document_id = $3, updated_at = $4, signature = $5
      WHERE id = $1`,
    [
      id,
      message.stored.sha256,
      message.edxmlDocumentId,
      message.at,
      message.signature ? JSON.stringify(message.signature) : null,
      message.stored.sizeBytes,
    ],
  );
}

export async function markExchangeSent(tx: Tx, id: string, transportId: string | null, at: Date): Promise<ExchangeRow> {
  const { rows } = await tx.query(
    `UPDATE exchanges SET state = 'sent', transport_id = $2, sent_at = $3, updated_at = $3, last_error = NULL
      WHERE id = $1 RETURNING ${columns}`,
    [id, transportId, at],
  );
  return toExchange(rows[0]!);
}

export async function markExchangeFailed(tx: Tx, id: string, error: string, at: Date): Promise<void> {
  await tx.query(`UPDATE exchanges SET state = 'failed', last_error = $2, updated_at = $3 WHERE id = $1`, [
    id,
    error,
    at,
  ]);
}

export async function noteExchangeError(tx: Tx, id: string, error: string, at: Date): Promise<void> {
  await tx.query(`UPDATE exchanges SET last_error = $2, updated_at = $3 WHERE id = $1`, [id, error, at]);
}

export async function linkReceivedDocument(
  tx: Tx,
  id: string,
  document: { documentId: string; version: number },
): Promise<void> {
  await tx.query(`UPDATE exchanges SET document_id = $2, document_version = $3 WHERE id = $1`, [
    id,
    document.documentId,
    document.version,
  ]);
}

export async function listExchanges(
  tx: Tx,
  query: { agencyCode: string; direction?: ExchangeDirection; limit: number; before?: Date },
): Promise<ExchangeRow[]> {
  const { rows } = await tx.query(
    `SELECT ${columns} FROM exchanges
      WHERE agency_code = $1 AND ($2::text IS NULL OR direction = $2) AND ($3::timestamptz IS NULL OR created_at < $3)
      ORDER BY created_at DESC, id LIMIT $4`,
    [query.agencyCode, query.direction ?? null, query.before ?? null, query.limit],
  );
  return rows.map(toExchange);
}

/** Appends a status; undefined when this hub message was already recorded. */
export async function insertExchangeStatus(
  tx: Tx,
  row: Omit<ExchangeStatusRow, 'id'> & { createdAt: Date },
): Promise<ExchangeStatusRow | undefined> {
  const { rows } = await tx.query(
    `INSERT INTO exchange_statuses (exchange_id, direction, organ_id, status_code, description, at, transport_id, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
     ON CONFLICT (transport_id) WHERE direction = 'received' AND transport_id IS NOT NULL DO NOTHING
     RETURNING id, exchange_id, direction, organ_id, status_code, description, at, transport_id`,
    [
      row.exchangeId,
      row.direction,
      row.organId,
      row.statusCode,
      row.description,
      row.at,
      row.transportId,
      row.createdAt,
    ],
  );
  return rows[0] ? toStatus(rows[0]) : undefined;
}

export async function listExchangeStatuses(tx: Tx, exchangeId: string): Promise<ExchangeStatusRow[]> {
  const { rows } = await tx.query(
    `SELECT id, exchange_id, direction, organ_id, status_code, description, at, transport_id
       FROM exchange_statuses WHERE exchange_id = $1 ORDER BY id`,
    [exchangeId],
  );
  return rows.map(toStatus);
}
