import type { Tx } from '@vanthu/platform';

export type SignatureRow = {
  id: string;
  agencyCode: string;
  documentId: string;
  kind: string;
  level: string;
  signedVersion: number;
  version: number;
  sha256: string;
  fieldName: string;
  signerUserId: string | null;
  certificateSha256: string;
  certificateSubject: string;
  authorityPrefix: string | null;
  keyIdHex: string | null;
  sessionId: string | null;
  appearance: { page: number; x: number; y: number; width: number; height: number } | null;
  signedAt: string;
};

const columns = `id, agency_code AS "agencyCode", document_id AS "documentId", kind, level, signed_version AS "signedVersion", version, sha256,
  field_name AS "fieldName", signer_user_id AS "signerUserId", certificate_sha256 AS "certificateSha256", certificate_subject AS "certificateSubject",
  authority_prefix AS "authorityPrefix", key_id_hex AS "keyIdHex", session_id AS "sessionId", appearance, to_char(signed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "signedAt"`;

export async function insertSignature(tx: Tx, row: Omit<SignatureRow, 'signedAt'>): Promise<SignatureRow> {
  // idempotency_key and request_hash stay empty: Idempotency-Key is the platform's (idempotency_keys), claimed in
  // the same transaction as the signature.
  const { rows } = await tx.query<SignatureRow>(
    `INSERT INTO signatures (id, agency_code, document_id, kind, level, signed_version, version, sha256, field_name, signer_user_id, certificate_sha256,
       certificate_subject, authority_prefix, key_id_hex, session_id, appearance)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16) RETURNING ${columns}`,
    [
      row.id,
      row.agencyCode,
      row.documentId,
      row.kind,
      row.level,
      row.signedVersion,
      row.version,
      row.sha256,
      row.fieldName,
      row.signerUserId,
      row.certificateSha256,
      row.certificateSubject,
      row.authorityPrefix,
      row.keyIdHex,
      row.sessionId,
      row.appearance === null ? null : JSON.stringify(row.appearance),
    ],
  );
  return rows[0] as SignatureRow;
}

export async function signaturesOf(tx: Tx, agencyCode: string, documentId: string): Promise<SignatureRow[]> {
  const { rows } = await tx.query<SignatureRow>(
    `SELECT ${columns} FROM signatures WHERE agency_code = $1 AND document_id = $2 ORDER BY version`,
    [agencyCode, documentId],
  );
  return rows;
}
