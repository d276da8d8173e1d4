import type { Tx } from '@vanthu/platform';

export type CertificateState = 'registered' | 'active' | 'unregistered' | 'suspended';

export type ProjectedCertificate = {
  certificateId: string;
  agencyCode: string;
  userId: string;
  state: CertificateState;
  notAfter: Date | null;
  updatedAt: Date;
  lastEventId: string;
};

type CertificateRow = {
  certificate_id: string;
  agency_code: string;
  user_id: string;
  state: CertificateState;
  not_after: Date | null;
  updated_at: Date;
  last_event_id: string;
};

const toCertificate = (row: CertificateRow): ProjectedCertificate => ({
  certificateId: row.certificate_id,
  agencyCode: row.agency_code,
  userId: row.user_id,
  state: row.state,
  notAfter: row.not_after,
  updatedAt: row.updated_at,
  lastEventId: row.last_event_id,
});

/**
 * Applies one certificate event to the projection. Only the fields the event carries are changed; an
 * event older than what is recorded (redelivered out of order) does not move the state back.
 */
export async function upsertProjectedCertificate(
  tx: Tx,
  change: {
    certificateId: string;
    agencyCode: string;
    userId?: string;
    state?: CertificateState;
    notAfter?: Date;
    at: Date;
    eventId: string;
  },
): Promise<ProjectedCertificate> {
  const { rows } = await tx.query<CertificateRow>(
    `INSERT INTO certificate_projection (certificate_id, agency_code, user_id, state, not_after, updated_at, last_event_id)
     VALUES ($1, $2, COALESCE($3, ''), COALESCE($4, 'registered'), $5, $6, $7)
     ON CONFLICT (certificate_id) DO UPDATE SET
       agency_code = EXCLUDED.agency_code,
       user_id = COALESCE($3, certificate_projection.user_id),
       state = COALESCE($4, certificate_projection.state),
       not_after = COALESCE($5, certificate_projection.not_after),
       updated_at = EXCLUDED.updated_at,
       last_event_id = EXCLUDED.last_event_id
     WHERE certificate_projection.updated_at <= EXCLUDED.updated_at
     RETURNING *`,
    [
      change.certificateId,
      change.agencyCode,
      change.userId ?? null,
      change.state ?? null,
      change.notAfter ?? null,
      change.at,
      change.eventId,
    ],
  );
  if (rows[0]) return toCertificate(rows[0]);
  const current = await tx.query<CertificateRow>('SELECT * FROM certificate_projection WHERE certificate_id = $1', [
    change.certificateId,
  ]);
  return toCertificate(current.rows[0]!);
}

export async function listProjectedCertificates(
  tx: Tx,
  filter: { agencyCode: string; userId?: string },
): Promise<ProjectedCertificate[]> {
  const { rows } = await tx.query<CertificateRow>(
    `SELECT * FROM certificate_projection WHERE agency_code = $1 AND ($2::text IS NULL OR user_id = $2)
     ORDER BY user_id, updated_at DESC`,
    [filter.agencyCode, filter.userId ?? null],
  );
  return rows.map(toCertificate);
}

export type GatingSetting = { agencyCode: string; gatingDate: string; updatedBy: string; updatedAt: Date };

export async function findGatingSetting(tx: Tx, agencyCode: string): Promise<GatingSetting | undefined> {
  const { rows } = await tx.query<{ agency_code: string; gating_date: string; updated_by: string; updated_at: Date }>(
    `SELECT agency_code, to_char(gating_date, 'YYYY-MM-DD') AS gating_date, updated_by, updated_at
     FROM certificate_gating WHERE agency_code = $1`,
    [agencyCode],
  );
  const row = rows[0];
  return row
    ? { agencyCode: row.agency_code, gatingDate: row.gating_date, updatedBy: row.updated_by, updatedAt: row.updated_at }
    : undefined;
}

export async function upsertGatingSetting(tx: Tx, setting: GatingSetting): Promise<GatingSetting> {
  const { rows } = await tx.query<{ agency_code: string; gating_date: string; updated_by: string; updated_at: Date }>(
    `INSERT INTO certificate_gating (agency_code, gating_date, updated_by, updated_at) VALUES ($1, $2, $3, $4)
     ON CONFLICT (agency_code) DO UPDATE SET gating_date = EXCLUDED.gating_date, updated_by = EXCLUDED.updated_by,
       updated_at = EXCLUDED.updated_at
     RETURNING agency_code, to_char(gating_date, 'YYYY-MM-DD') AS gating_date, updated_by, updated_at`,
    [setting.agencyCode, setting.gatingDate, setting.updatedBy, setting.updatedAt],
  );
  const row = rows[0]!;
  return {
    agencyCode: row.agency_code,
    gatingDate: row.gating_date,
    updatedBy: row.updated_by,
    updatedAt: row.updated_at,
  };
}

export type CertificateException = {
  id: string;
  agencyCode: string;
  userId: string;
  referenceDocument: string;
  referenceDocumentId: string | null;
  reason: string;
  validFrom: Date;
  validUntil: Date | null;
  grantedBy: string;
  grantedAt: Date;
  revokedBy: string | null;
  revokedAt: Date | null;
};

type ExceptionRow = {
  id: string;
  agency_code: string;
  user_id: string;
  reference_document: string;
  reference_document_id: string | null;
  reason: string;
  valid_from: Date;
  valid_until: Date | null;
  granted_by: string;
  granted_at: Date;
  revoked_by: string | null;
  revoked_at: Date | null;
};

const toException = (row: ExceptionRow): CertificateException => ({
  id: row.id,
  agencyCode: row.agency_code,
  userId: row.user_id,
  referenceDocument: row.reference_document,
  referenceDocumentId: row.reference_document_id,
  reason: row.reason,
  validFrom: row.valid_from,
  validUntil: row.valid_until,
  grantedBy: row.granted_by,
  grantedAt: row.granted_at,
  revokedBy: row.revoked_by,
  revokedAt: row.revoked_at,
});

export async function insertCertificateException(
  tx: Tx,
  exception: Omit<CertificateException, 'revokedBy' | 'revokedAt'>,
): Promise<CertificateException> {
  const { rows } = await tx.query<ExceptionRow>(
    `INSERT INTO certificate_exceptions (id, agency_code, user_id, reference_document, reference_document_id, reason,
       valid_from, valid_until, granted_by, granted_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING *`,
    [
      exception.id,
      exception.agencyCode,
      exception.userId,
      exception.referenceDocument,
      exception.referenceDocumentId,
      exception.reason,
      exception.validFrom,
      exception.validUntil,
      exception.grantedBy,
      exception.grantedAt,
    ],
  );
  return toException(rows[0]!);
}

export async function revokeCertificateException(
  tx: Tx,
  input: { agencyCode: string; id: string; revokedBy: string; revokedAt: Date },
): Promise<CertificateException | undefined> {
  const { rows } = await tx.query<ExceptionRow>(
    `UPDATE certificate_exceptions SET revoked_by = $3, revoked_at = $4
     WHERE agency_code = $1 AND id = $2 AND revoked_at IS NULL RETURNING *`,
    [input.agencyCode, input.id, input.revokedBy, input.revokedAt],
  );
  return rows[0] ? toException(rows[0]) : undefined;
}

export async function findCertificateException(
  tx: Tx,
  agencyCode: string,
  id: string,
): Promise<CertificateException | undefined> {
  const { rows } = await tx.query<ExceptionRow>(
    'SELECT * FROM certificate_exceptions WHERE agency_code = $1 AND id = $2',
    [agencyCode, id],
  );
  return rows[0] ? toException(rows[0]) : undefined;
}

export async function listCertificateExceptions(
  tx: Tx,
  filter: { agencyCode: string; userId?: string },
): Promise<CertificateException[]> {
  const { rows } = await tx.query<ExceptionRow>(
    `SELECT * FROM certificate_exceptions WHERE agency_code = $1 AND ($2::text IS NULL OR user_id = $2)
     ORDER BY granted_at DESC, id`,
    [filter.agencyCode, filter.userId ?? null],
  );
  return rows.map(toException);
}

/**
 * What decides whether a person can be given electronic work at `at`, in one statement: the agency's gating date
 * (null when it keeps the default), whether they hold an activated, unexpired certificate, and the written exception
 * in force, if any.
 */
export async function assignabilityFacts(
  tx: Tx,
  agencyCode: string,
  userId: string,
  at: Date,
): Promise<{ gatingDate: string | null; activeCertificate: boolean; exceptionId: string | null }> {
  const { rows } = await tx.query<{ gating_date: string | null; active: boolean; exception_id: string | null }>(
    `SELECT (SELECT to_char(gating_date, 'YYYY-MM-DD') FROM certificate_gating WHERE agency_code = $1) AS gating_date,
            EXISTS (SELECT 1 FROM certificate_projection
                     WHERE agency_code = $1 AND user_id = $2 AND state = 'active'
                       AND (not_after IS NULL OR not_after > $3)) AS active,
            (SELECT id FROM certificate_exceptions
              WHERE agency_code = $1 AND user_id = $2 AND revoked_at IS NULL AND valid_from <= $3
                AND (valid_until IS NULL OR valid_until > $3)
              ORDER BY granted_at DESC LIMIT 1) AS exception_id`,
    [agencyCode, userId, at],
  );
  const row = rows[0] as { gating_date: string | null; active: boolean; exception_id: string | null };
  return { gatingDate: row.gating_date, activeCertificate: row.active, exceptionId: row.exception_id };
}
