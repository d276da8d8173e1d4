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
  status: CertificateStatus;
  registeredAt: string;
  activatedAt: string | null;
  activatedBy: string | null;
  suspendedAt: string | null;
  suspensionCause: 'revoked' | 'expired' | null;
};

export type CertificateStatus = 'registered' | 'active' | 'unregistered' | 'suspended' | 'revoked' | 'deactivated';

const ts = (c: string): string => `to_char(${c} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
const columns = `id, agency_code AS "agencyCode", user_id AS "userId", sha256, der, subject, issuer, serial_hex AS "serialHex",
  ${ts('not_before')} AS "notBefore", ${ts('not_after')} AS "notAfter", status, ${ts('registered_at')} AS "registeredAt",
  ${ts('activated_at')} AS "activatedAt", activated_by AS "activatedBy", ${ts('suspended_at')} AS "suspendedAt",
  suspension_cause AS "suspensionCause"`;

export async function insertCertificate(
  tx: Tx,
  row: Omit<
    CertificateRow,
    'registeredAt' | 'activatedAt' | 'activatedBy' | 'status' | 'suspendedAt' | 'suspensionCause'
  >,
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

export async function findCertificateBySha(
  tx: Tx,
  sha256: string,
  options: { lock?: boolean } = {},
): Promise<CertificateRow | undefined> {
  const { rows } = await tx.query<CertificateRow>(
    `SELECT ${columns} FROM certificates WHERE sha256 = $1${options.lock ? ' FOR UPDATE' : ''}`,
    [sha256],
  );
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

export async function markActivated(tx: Tx, id: string, by: string): Promise<CertificateRow> {
  const { rows } = await tx.query<CertificateRow>(
    `UPDATE certificates SET status = 'active', activated_at = now(), activated_by = $2 WHERE id = $1 RETURNING ${columns}`,
    [id, by],
  );
  return rows[0] as CertificateRow;
}

/** A released certificate taken up again, by its former or a new holder: registered, not yet activated. */
export async function reopenCertificate(
  tx: Tx,
  id: string,
  holder: { agencyCode: string; userId: string },
): Promise<CertificateRow> {
  const { rows } = await tx.query<CertificateRow>(
    `UPDATE certificates SET agency_code = $2, user_id = $3, status = 'registered', registered_at = now(),
            activated_at = NULL, activated_by = NULL
      WHERE id = $1 RETURNING ${columns}`,
    [id, holder.agencyCode, holder.userId],
  );
  return rows[0] as CertificateRow;
}

export async function markUnregistered(tx: Tx, id: string): Promise<CertificateRow> {
  const { rows } = await tx.query<CertificateRow>(
    `UPDATE certificates SET status = 'unregistered' WHERE id = $1 RETURNING ${columns}`,
    [id],
  );
  return rows[0] as CertificateRow;
}

export async function changeHolder(tx: Tx, id: string, userId: string): Promise<CertificateRow> {
  const { rows } = await tx.query<CertificateRow>(
    `UPDATE certificates SET user_id = $2 WHERE id = $1 RETURNING ${columns}`,
    [id, userId],
  );
  return rows[0] as CertificateRow;
}

export async function markSuspended(
  tx: Tx,
  id: string,
  suspension: { cause: 'revoked' | 'expired'; revokedAt: Date | null; at: Date },
): Promise<CertificateRow> {
  const { rows } = await tx.query<CertificateRow>(
    `UPDATE certificates SET status = 'suspended', suspension_cause = $2, revoked_at = $3, suspended_at = $4,
            revocation_checked_at = $4, revocation_status = CASE WHEN $2 = 'revoked' THEN 'revoked' ELSE revocation_status END
      WHERE id = $1 RETURNING ${columns}`,
    [id, suspension.cause, suspension.revokedAt, suspension.at],
  );
  return rows[0] as CertificateRow;
}

/** Records that revocation was checked and the certificate is still good. */
export async function markRevocationChecked(tx: Tx, id: string, at: Date): Promise<void> {
  await tx.query(`UPDATE certificates SET revocation_checked_at = $2, revocation_status = 'good' WHERE id = $1`, [
    id,
    at,
  ]);
}

/** Certificates someone can still sign with (registered or active), oldest check first, all agencies or one. */
export async function usableCertificates(tx: Tx, agencyCode?: string, limit = 500): Promise<CertificateRow[]> {
  const { rows } = await tx.query<CertificateRow>(
    `SELECT ${columns} FROM certificates
      WHERE status IN ('registered', 'active') AND ($1::text IS NULL OR agency_code = $1)
      ORDER BY revocation_checked_at NULLS FIRST, id LIMIT $2`,
    [agencyCode ?? null, limit],
  );
  return rows;
}

export type HoldingRow = {
  certificateId: string;
  agencyCode: string;
  userId: string;
  heldFrom: string;
  heldUntil: string | null;
  endedBy: string | null;
  endedHow: 'unregistered' | 'reassigned' | null;
  endReason: string | null;
};
const holdingColumns = `certificate_id AS "certificateId", agency_code AS "agencyCode", user_id AS "userId",
  ${ts('held_from')} AS "heldFrom", ${ts('held_until')} AS "heldUntil", ended_by AS "endedBy", ended_how AS "endedHow",
  end_reason AS "endReason"`;

export async function openHolding(
  tx: Tx,
  holding: { id: string; certificateId: string; agencyCode: string; userId: string },
): Promise<HoldingRow> {
  const { rows } = await tx.query<HoldingRow>(
    `INSERT INTO certificate_holdings (id, certificate_id, agency_code, user_id, held_from)
     VALUES ($1, $2, $3, $4, now()) RETURNING ${holdingColumns}`,
    [holding.id, holding.certificateId, holding.agencyCode, holding.userId],
  );
  return rows[0] as HoldingRow;
}

export async function closeHolding(
  tx: Tx,
  certificateId: string,
  end: { by: string; how: 'unregistered' | 'reassigned'; reason: string | null },
): Promise<HoldingRow | undefined> {
  const { rows } = await tx.query<HoldingRow>(
    `UPDATE certificate_holdings SET held_until = now(), ended_by = $2, ended_how = $3, end_reason = $4
      WHERE certificate_id = $1 AND held_until IS NULL RETURNING ${holdingColumns}`,
    [certificateId, end.by, end.how, end.reason],
  );
  return rows[0];
}

export async function holdingsOf(tx: Tx, certificateId: string): Promise<HoldingRow[]> {
  const { rows } = await tx.query<HoldingRow>(
    `SELECT ${holdingColumns} FROM certificate_holdings WHERE certificate_id = $1 ORDER BY held_from, id`,
    [certificateId],
  );
  return rows;
}

export type CertificateAuditAction = 'registered' | 'activated' | 'unregistered' | 'reassigned' | 'suspended';
export type CertificateAuditRow = {
  action: CertificateAuditAction;
  actor: string;
  holder: string;
  previousHolder: string | null;
  reason: string | null;
  requestId: string | null;
  at: string;
};

export async function insertCertificateAudit(
  tx: Tx,
  entry: {
    certificateId: string;
    agencyCode: string;
    action: CertificateAuditAction;
    actor: string;
    holder: string;
    previousHolder?: string | null;
    reason?: string | null;
    requestId?: string | null;
  },
): Promise<void> {
  await tx.query(
    `INSERT INTO certificate_audit (certificate_id, agency_code, action, actor, holder, previous_holder, reason, request_id)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
    [
      entry.certificateId,
      entry.agencyCode,
      entry.action,
      entry.actor,
      entry.holder,
      entry.previousHolder ?? null,
      entry.reason ?? null,
      entry.requestId ?? null,
    ],
  );
}

export async function auditOf(tx: Tx, certificateId: string): Promise<CertificateAuditRow[]> {
  const { rows } = await tx.query<CertificateAuditRow>(
    `SELECT action, actor, holder, previous_holder AS "previousHolder", reason, request_id AS "requestId", ${ts('at')} AS at
       FROM certificate_audit WHERE certificate_id = $1 ORDER BY at, id`,
    [certificateId],
  );
  return rows;
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
