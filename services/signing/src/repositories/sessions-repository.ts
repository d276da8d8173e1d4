import type { Tx } from '@vanthu/platform';

export type SessionRow = {
  id: string;
  agencyCode: string;
  userId: string;
  kind: string;
  level: string;
  hash: string;
  scheme: string;
  certificateSha256: string | null;
  status: 'prepared' | 'completed' | 'expired';
  expiresAt: string;
  result: unknown;
};
export type SessionItemRow = {
  position: number;
  documentId: string;
  version: number;
  fieldName: string;
  options: Record<string, unknown>;
  preparedUpdate: Buffer;
  preparedMeta: {
    baseSize: number;
    byteRange: [number, number, number, number];
    contentsHexOffset: number;
    contentsSize: number;
    appearance: unknown;
  };
  documentDigest: Buffer;
  signedAttributes: Buffer | null;
};

export async function insertSession(tx: Tx, row: Omit<SessionRow, 'status' | 'result'>): Promise<void> {
  await tx.query(
    `INSERT INTO signing_sessions (id, agency_code, user_id, kind, level, hash, scheme, certificate_sha256, status, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'prepared', $9)`,
    [
      row.id,
      row.agencyCode,
      row.userId,
      row.kind,
      row.level,
      row.hash,
      row.scheme,
      row.certificateSha256,
      row.expiresAt,
    ],
  );
}

export async function insertSessionItem(tx: Tx, sessionId: string, item: SessionItemRow): Promise<void> {
  await tx.query(
    `INSERT INTO signing_session_items (session_id, position, document_id, version, field_name, options, prepared_update, prepared_meta, document_digest, signed_attributes)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
    [
      sessionId,
      item.position,
      item.documentId,
      item.version,
      item.fieldName,
      JSON.stringify(item.options),
      item.preparedUpdate,
      JSON.stringify(item.preparedMeta),
      item.documentDigest,
      item.signedAttributes,
    ],
  );
}

export async function lockSession(tx: Tx, agencyCode: string, id: string): Promise<SessionRow | undefined> {
  const { rows } = await tx.query<SessionRow>(
    `SELECT id, agency_code AS "agencyCode", user_id AS "userId", kind, level, hash, scheme, certificate_sha256 AS "certificateSha256", status,
            to_char(expires_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "expiresAt", result
       FROM signing_sessions WHERE agency_code = $1 AND id = $2 FOR UPDATE`,
    [agencyCode, id],
  );
  return rows[0];
}

export async function sessionItems(tx: Tx, id: string): Promise<SessionItemRow[]> {
  const { rows } = await tx.query<SessionItemRow>(
    `SELECT position, document_id AS "documentId", version, field_name AS "fieldName", options, prepared_update AS "preparedUpdate", prepared_meta AS "preparedMeta",
            document_digest AS "documentDigest", signed_attributes AS "signedAttributes"
       FROM signing_session_items WHERE session_id = $1 ORDER BY position`,
    [id],
  );
  return rows;
}

export async function finishSession(
  tx: Tx,
  id: string,
  status: 'completed' | 'expired',
  result: unknown,
): Promise<void> {
  await tx.query(`UPDATE signing_sessions SET status = $2, completed_at = now(), result = $3 WHERE id = $1`, [
    id,
    status,
    JSON.stringify(result),
  ]);
}
