import type { Tx } from '@vanthu/platform';

export type CertificateRow = {
  id: string;
  agencyCode: string;
  userId: string;
  sha256: string;
  der: Buffer;
  subject: string;
  issuer: string;
  serialHex: string;
  notBefore: string;
  notAfter: string;
  status: 'registered' | 'active' | 'revoked' | 'deactivated';
  registeredAt: string;
  activatedAt: string | null;
  activatedBy: string | null;
};

const ts = (c: string): string => `to_char(${c} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
const columns = `id, agency_code AS "agencyCode", user_id AS "userId", sha256, der, subject, issuer, serial_hex AS "serialHex",
  ${ts('not_before')} AS "notBefore", ${ts('not_after')} AS "notAfter", status, ${ts('registered_at')} AS "registeredAt",
  ${ts('activated_at')} AS "activatedAt", activated_by AS "activatedBy"`;

export async function insertCertificate(
  tx: Tx,
  row: Omit<CertificateRow, 'registeredAt' | 'activatedAt' | 'activatedBy' | 'status'>,
): Promise<CertificateRow> {
  const { rows } = await tx.query<CertificateRow>(
    `INSERT INTO certificates (id, agency_code, user_id, sha256, der, subject, issuer, serial_hex, not_before, not_after, status)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'registered') RETURNING ${columns}`,
    [
      row.id,
      row.agencyCode,
      row.userId,
      row.sha256,
      row.der,
      row.subject,
      row.issuer,
      row.serialHex,
      row.notBefore,
      row.notAfter,
    ],
  );
  return rows[0] as CertificateRow;
}

export async function findCertificateBySha(tx: Tx, sha256: string): Promise<CertificateRow | undefined> {
  const { rows } = await tx.query<CertificateRow>(`SELECT ${columns} FROM certificates WHERE sha256 = $1`, [sha256]);
  return rows[0];
}

export async function findCertificate(tx: Tx, agencyCode: string, id: string): Promise<CertificateRow | undefined> {
  const { rows } = await tx.query<CertificateRow>(
    `SELECT ${columns} FROM certificates WHERE agency_code = $1 AND id = $2 FOR UPDATE`,
    [agencyCode, id],
  );
  return rows[0];
}

export async function certificatesOf(tx: Tx, agencyCode: string, userId?: string): Promise<CertificateRow[]> {
  const { rows } = await tx.query<CertificateRow>(
    `SELECT ${columns} FROM certificates WHERE agency_code = $1 AND ($2::text IS NULL OR user_id = $2) ORDER BY registered_at DESC`,
    [agencyCode, userId ?? null],
  );
  return rows;
}

export async function activateCertificate(tx: Tx, id: string, by: string): Promise<CertificateRow> {
  const { rows } = await tx.query<CertificateRow>(
    `UPDATE certificates SET status = 'active', activated_at = now(), activated_by = $2 WHERE id = $1 RETURNING ${columns}`,
    [id, by],
  );
  return rows[0] as CertificateRow;
}

export async function setRevoked(tx: Tx, id: string): Promise<void> {
  await tx.query(
    `UPDATE certificates SET status = 'revoked', revocation_checked_at = now(), revocation_status = 'revoked' WHERE id = $1`,
    [id],
  );
}

/** Per agency: staff with a registered certificate and staff with an active, unexpired one. */
export async function adoption(
  tx: Tx,
  agencyCode: string | undefined,
): Promise<{ agencyCode: string; registeredUsers: number; activeUsers: number }[]> {
  const { rows } = await tx.query<{ agencyCode: string; registeredUsers: number; activeUsers: number }>(
    `SELECT agency_code AS "agencyCode", count(DISTINCT user_id)::int AS "registeredUsers",
            count(DISTINCT user_id) FILTER (WHERE status = 'active' AND not_after > now())::int AS "activeUsers"
       FROM certificates WHERE ($1::text IS NULL OR agency_code = $1) GROUP BY agency_code ORDER BY agency_code`,
    [agencyCode ?? null],
  );
  return rows;
}
