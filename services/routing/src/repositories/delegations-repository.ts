import type { Tx } from '@vanthu/platform';

export type DelegationKind = 'delegation' | 'absence';

export type Delegation = {
  id: string;
  agencyCode: string;
  kind: DelegationKind;
  delegatorUserId: string;
  delegateUserId: string;
  role: string | null;
  validFrom: Date;
  validUntil: Date;
  reason: string;
  createdBy: string;
  createdAt: Date;
  revokedBy: string | null;
  revokedAt: Date | null;
};

type Row = {
  id: string;
  agency_code: string;
  kind: DelegationKind;
  delegator_user_id: string;
  delegate_user_id: string;
  role: string | null;
  valid_from: Date;
  valid_until: Date;
  reason: string;
  created_by: string;
  created_at: Date;
  revoked_by: string | null;
  revoked_at: Date | null;
};

const toDelegation = (row: Row): Delegation => ({
  id: row.id,
  agencyCode: row.agency_code,
  kind: row.kind,
  delegatorUserId: row.delegator_user_id,
  delegateUserId: row.delegate_user_id,
  role: row.role,
  validFrom: row.valid_from,
  validUntil: row.valid_until,
  reason: row.reason,
  createdBy: row.created_by,
  createdAt: row.created_at,
  revokedBy: row.revoked_by,
  revokedAt: row.revoked_at,
});

export async function insertDelegation(
  tx: Tx,
  delegation: Omit<Delegation, 'revokedBy' | 'revokedAt'>,
): Promise<Delegation> {
  const { rows } = await tx.query<Row>(
    `INSERT INTO delegations (id, agency_code, kind, delegator_user_id, delegate_user_id, role, valid_from, valid_until,
       reason, created_by, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING *`,
    [
      delegation.id,
      delegation.agencyCode,
      delegation.kind,
      delegation.delegatorUserId,
      delegation.delegateUserId,
      delegation.role,
      delegation.validFrom,
      delegation.validUntil,
      delegation.reason,
      delegation.createdBy,
      delegation.createdAt,
    ],
  );
  return toDelegation(rows[0]!);
}

/** Serialises delegations of one person so two overlapping ones cannot both be recorded. */
export async function lockDelegator(tx: Tx, agencyCode: string, userId: string): Promise<void> {
  await tx.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [`delegation:${agencyCode}:${userId}`]);
}

export async function findOverlappingDelegation(
  tx: Tx,
  filter: { agencyCode: string; delegatorUserId: string; from: Date; until: Date },
): Promise<Delegation | undefined> {
  const { rows } = await tx.query<Row>(
    `SELECT * FROM delegations WHERE agency_code = $1 AND delegator_user_id = $2 AND revoked_at IS NULL
       AND valid_from < $4 AND valid_until > $3 LIMIT 1`,
    [filter.agencyCode, filter.delegatorUserId, filter.from, filter.until],
  );
  return rows[0] ? toDelegation(rows[0]) : undefined;
}

/** The delegation of the person in force at `at`, if any. */
export async function findDelegationInForce(
  tx: Tx,
  agencyCode: string,
  userId: string,
  at: Date,
): Promise<Delegation | undefined> {
  const { rows } = await tx.query<Row>(
    `SELECT * FROM delegations WHERE agency_code = $1 AND delegator_user_id = $2 AND revoked_at IS NULL
       AND valid_from <= $3 AND valid_until > $3 ORDER BY created_at DESC LIMIT 1`,
    [agencyCode, userId, at],
  );
  return rows[0] ? toDelegation(rows[0]) : undefined;
}

export async function findDelegation(tx: Tx, agencyCode: string, id: string): Promise<Delegation | undefined> {
  const { rows } = await tx.query<Row>('SELECT * FROM delegations WHERE agency_code = $1 AND id = $2', [
    agencyCode,
    id,
  ]);
  return rows[0] ? toDelegation(rows[0]) : undefined;
}

export async function listDelegations(
  tx: Tx,
  filter: { agencyCode: string; userId?: string; activeAt?: Date },
): Promise<Delegation[]> {
  const { rows } = await tx.query<Row>(
    `SELECT * FROM delegations WHERE agency_code = $1
       AND ($2::text IS NULL OR delegator_user_id = $2 OR delegate_user_id = $2)
       AND ($3::timestamptz IS NULL OR (revoked_at IS NULL AND valid_from <= $3 AND valid_until > $3))
     ORDER BY valid_from DESC, id`,
    [filter.agencyCode, filter.userId ?? null, filter.activeAt ?? null],
  );
  return rows.map(toDelegation);
}

export async function revokeDelegation(
  tx: Tx,
  input: { agencyCode: string; id: string; revokedBy: string; revokedAt: Date },
): Promise<Delegation | undefined> {
  const { rows } = await tx.query<Row>(
    `UPDATE delegations SET revoked_by = $3, revoked_at = $4 WHERE agency_code = $1 AND id = $2 AND revoked_at IS NULL
     RETURNING *`,
    [input.agencyCode, input.id, input.revokedBy, input.revokedAt],
  );
  return rows[0] ? toDelegation(rows[0]) : undefined;
}
