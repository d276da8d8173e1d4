import type { Pool, Tx } from '@vanthu/platform';
import type { SignatureRow } from './signatures-repository';

/** A seal whose bytes were handed to documents but whose signature row may not have committed. */
export type SealAttempt = {
  agencyCode: string;
  userId: string;
  idempotencyKey: string;
  documentId: string;
  signedSha256: string;
  signature: Omit<SignatureRow, 'signedAt' | 'version'>;
};

/** Committed at once, outside the use case's transaction, so that it survives that transaction's rollback. */
export async function recordSealAttempt(pool: Pool, attempt: SealAttempt): Promise<void> {
  await pool.query(
    `INSERT INTO seal_attempts (agency_code, user_id, idempotency_key, document_id, signed_sha256, signature)
     VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (agency_code, user_id, idempotency_key)
     DO UPDATE SET document_id = $4, signed_sha256 = $5, signature = $6, created_at = now()`,
    [
      attempt.agencyCode,
      attempt.userId,
      attempt.idempotencyKey,
      attempt.documentId,
      attempt.signedSha256,
      JSON.stringify(attempt.signature),
    ],
  );
}

export async function findSealAttempt(
  tx: Tx,
  key: { agencyCode: string; userId: string; idempotencyKey: string },
): Promise<SealAttempt | undefined> {
  const { rows } = await tx.query<SealAttempt>(
    `SELECT agency_code AS "agencyCode", user_id AS "userId", idempotency_key AS "idempotencyKey",
            document_id AS "documentId", signed_sha256 AS "signedSha256", signature
       FROM seal_attempts WHERE agency_code = $1 AND user_id = $2 AND idempotency_key = $3`,
    [key.agencyCode, key.userId, key.idempotencyKey],
  );
  return rows[0];
}

export async function deleteSealAttempt(
  tx: Tx,
  key: { agencyCode: string; userId: string; idempotencyKey: string },
): Promise<void> {
  await tx.query('DELETE FROM seal_attempts WHERE agency_code = $1 AND user_id = $2 AND idempotency_key = $3', [
    key.agencyCode,
    key.userId,
    key.idempotencyKey,
  ]);
}
