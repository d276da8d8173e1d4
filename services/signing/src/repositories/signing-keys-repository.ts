import type { Tx } from '@vanthu/platform';

export type SigningKeyStatus = 'pending' | 'active' | 'retired';
export type SigningKeyAlgorithm = 'rsa-2048' | 'rsa-3072';

/** An organisation seal key generated in the HSM through the API, with the certificate once attached. */
export type SigningKeyRow = {
  id: string;
  agencyCode: string;
  keyIdHex: string;
  keyLabel: string;
  algorithm: SigningKeyAlgorithm;
  publicKeyDer: Buffer;
  csrDer: Buffer;
  subject: string;
  status: SigningKeyStatus;
  rotatesKeyId: string | null;
  certificateDer: Buffer | null;
  certificateSha256: string | null;
  certificateSubject: string | null;
  certificateIssuer: string | null;
  certificateSerialHex: string | null;
  chainDer: Buffer[];
  notBefore: string | null;
  notAfter: string | null;
  generatedBy: string;
  generatedAt: string;
  activatedBy: string | null;
  activatedAt: string | null;
  retiredBy: string | null;
  retiredAt: string | null;
  retirementReason: string | null;
};

const ts = (c: string): string => `to_char(${c} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
const columns = `id, agency_code AS "agencyCode", key_id_hex AS "keyIdHex", key_label AS "keyLabel", algorithm,
  public_key_der AS "publicKeyDer", csr_der AS "csrDer", subject, status, rotates_key_id AS "rotatesKeyId",
  certificate_der AS "certificateDer", certificate_sha256 AS "certificateSha256",
  certificate_subject AS "certificateSubject", certificate_issuer AS "certificateIssuer",
  certificate_serial_hex AS "certificateSerialHex", chain_der AS "chainDer",
  ${ts('not_before')} AS "notBefore", ${ts('not_after')} AS "notAfter",
  generated_by AS "generatedBy", ${ts('generated_at')} AS "generatedAt",
  activated_by AS "activatedBy", ${ts('activated_at')} AS "activatedAt",
  retired_by AS "retiredBy", ${ts('retired_at')} AS "retiredAt", retirement_reason AS "retirementReason"`;

/** PostgreSQL's unique_violation: the agency already has a key waiting for its certificate. */
export const isPendingKeyConflict = (error: unknown): boolean =>
  (error as { code?: unknown; constraint?: unknown }).code === '23505' &&
  (error as { constraint?: unknown }).constraint === 'signing_keys_one_pending';

export async function insertSigningKey(
  tx: Tx,
  row: Pick<
    SigningKeyRow,
    | 'id'
    | 'agencyCode'
    | 'keyIdHex'
    | 'keyLabel'
    | 'algorithm'
    | 'publicKeyDer'
    | 'csrDer'
    | 'subject'
    | 'rotatesKeyId'
    | 'generatedBy'
    | 'generatedAt'
  >,
): Promise<SigningKeyRow> {
  const { rows } = await tx.query<SigningKeyRow>(
    `INSERT INTO signing_keys (id, agency_code, key_id_hex, key_label, algorithm, public_key_der, csr_der, subject,
                               status, rotates_key_id, generated_by, generated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'pending', $9, $10, $11) RETURNING ${columns}`,
    [
      row.id,
      row.agencyCode,
      row.keyIdHex,
      row.keyLabel,
      row.algorithm,
      row.publicKeyDer,
      row.csrDer,
      row.subject,
      row.rotatesKeyId,
      row.generatedBy,
      row.generatedAt,
    ],
  );
  return rows[0] as SigningKeyRow;
}

/** One key of the agency (another agency's key is not found). */
export async function findSigningKey(
  tx: Tx,
  agencyCode: string,
  id: string,
  options: { lock?: boolean } = {},
): Promise<SigningKeyRow | undefined> {
  const { rows } = await tx.query<SigningKeyRow>(
    `SELECT ${columns} FROM signing_keys WHERE agency_code = $1 AND id = $2${options.lock ? ' FOR UPDATE' : ''}`,
    [agencyCode, id],
  );
  return rows[0];
}

/** The agency's keys, newest first. */
export async function listSigningKeys(tx: Tx, agencyCode: string): Promise<SigningKeyRow[]> {
  const { rows } = await tx.query<SigningKeyRow>(
    `SELECT ${columns} FROM signing_keys WHERE agency_code = $1 ORDER BY generated_at DESC, id`,
    [agencyCode],
  );
  return rows;
}

/** The agency's keys that are pending or active (what a new generation would compete with). */
export async function openSigningKeys(tx: Tx, agencyCode: string): Promise<SigningKeyRow[]> {
  const { rows } = await tx.query<SigningKeyRow>(
    `SELECT ${columns} FROM signing_keys WHERE agency_code = $1 AND status IN ('pending', 'active')
      ORDER BY generated_at DESC, id`,
    [agencyCode],
  );
  return rows;
}

/** Records the certificate the CA issued and makes the key active. */
export async function activateSigningKey(
  tx: Tx,
  id: string,
  certificate: {
    der: Buffer;
    sha256: string;
    subject: string;
    issuer: string;
    serialHex: string;
    chainDer: Buffer[];
    notBefore: string;
    notAfter: string;
  },
  by: { userId: string; at: string },
): Promise<SigningKeyRow> {
  const { rows } = await tx.query<SigningKeyRow>(
    `UPDATE signing_keys SET status = 'active', certificate_der = $2, certificate_sha256 = $3,
            certificate_subject = $4, certificate_issuer = $5, certificate_serial_hex = $6, chain_der = $7,
            not_before = $8, not_after = $9, activated_by = $10, activated_at = $11
      WHERE id = $1 RETURNING ${columns}`,
    [
      id,
      certificate.der,
      certificate.sha256,
      certificate.subject,
      certificate.issuer,
      certificate.serialHex,
      certificate.chainDer,
      certificate.notBefore,
      certificate.notAfter,
      by.userId,
      by.at,
    ],
  );
  return rows[0] as SigningKeyRow;
}

/**
 * The key that seals for the agency at `at`: the newest active one whose certificate is in its validity period
 * (during a rotation both keys are active; the newer one is used, the older still verifies).
 */
export async function currentSealKey(tx: Tx, agencyCode: string, at: Date): Promise<SigningKeyRow | undefined> {
  const { rows } = await tx.query<SigningKeyRow>(
    `SELECT ${columns} FROM signing_keys
      WHERE agency_code = $1 AND status = 'active' AND not_before <= $2 AND not_after > $2
      ORDER BY activated_at DESC, generated_at DESC LIMIT 1`,
    [agencyCode, at.toISOString()],
  );
  return rows[0];
}

/** Retires a key: it never seals again. */
export async function retireSigningKey(
  tx: Tx,
  id: string,
  by: { userId: string; at: string; reason: string | null },
): Promise<SigningKeyRow> {
  const { rows } = await tx.query<SigningKeyRow>(
    `UPDATE signing_keys SET status = 'retired', retired_by = $2, retired_at = $3, retirement_reason = $4
      WHERE id = $1 RETURNING ${columns}`,
    [id, by.userId, by.at, by.reason],
  );
  return rows[0] as SigningKeyRow;
}
