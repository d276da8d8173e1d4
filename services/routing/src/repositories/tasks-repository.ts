import type { Tx } from '@vanthu/platform';
import type { AuthorityPrefix } from '@vanthu/contracts';
import type { TaskAction } from '../definitions/definition-schema';

export type TaskState = 'open' | 'claimed' | 'completed' | 'returned' | 'cancelled';
export type DistributionRole = 'lead' | 'cooperate' | 'inform';

export type TaskRecord = {
  id: string;
  processId: string;
  agencyCode: string;
  step: string;
  name: string;
  state: TaskState;
  assigneeUserId: string | null;
  assigneeRole: string | null;
  assigneeUnit: string | null;
  ownerUserId: string | null;
  documentId: string;
  documentVersion: number;
  signatureKind: string | null;
  actions: TaskAction[];
  priority: number;
  urgent: boolean;
  distributionRole: DistributionRole | null;
  direction: string | null;
  instanceKey: string | null;
  dueAt: Date | null;
  createdAt: Date;
  completedAt: Date | null;
  completedBy: string | null;
  outcome: Record<string, unknown> | null;
  progress: { at: string; by: string; text: string; percent?: number }[];
  /** What a delegate submitted on an `ownerReview` step, waiting for the owner's review. */
  review: TaskReview | null;
  /** How the assignee signs this step: the authority prefix and on whose behalf (NĐ 30/2020 Điều 13). */
  authority: TaskAuthority | null;
};

export type TaskAuthority = { prefix: AuthorityPrefix | null; onBehalfOf: string | null };

export type TaskReview = {
  submittedBy: string;
  submittedAt: string;
  /** The completion body the delegate sent; applied when the owner accepts. */
  body: Record<string, unknown>;
};

type Row = {
  id: string;
  process_id: string;
  agency_code: string;
  step: string;
  name: string;
  state: TaskState;
  assignee_user_id: string | null;
  assignee_role: string | null;
  assignee_unit: string | null;
  owner_user_id: string | null;
  document_id: string;
  document_version: number;
  signature_kind: string | null;
  actions: TaskAction[];
  priority: number;
  urgent: boolean;
  distribution_role: DistributionRole | null;
  direction: string | null;
  instance_key: string | null;
  due_at: Date | null;
  created_at: Date;
  completed_at: Date | null;
  completed_by: string | null;
  outcome: Record<string, unknown> | null;
  progress: TaskRecord['progress'];
  review: TaskReview | null;
  authority: TaskAuthority | null;
};

const columns = `id, process_id, agency_code, step, name, state, assignee_user_id, assignee_role, assignee_unit,
  owner_user_id, document_id, document_version, signature_kind, actions, priority, urgent, distribution_role,
  direction, instance_key, due_at, created_at, completed_at, completed_by, outcome, progress, review, authority`;

function toTask(row: Row): TaskRecord {
  return {
    id: row.id,
    processId: row.process_id,
    agencyCode: row.agency_code,
    step: row.step,
    name: row.name,
    state: row.state,
    assigneeUserId: row.assignee_user_id,
    assigneeRole: row.assignee_role,
    assigneeUnit: row.assignee_unit,
    ownerUserId: row.owner_user_id,
    documentId: row.document_id,
    documentVersion: row.document_version,
    signatureKind: row.signature_kind,
    actions: row.actions,
    priority: row.priority,
    urgent: row.urgent,
    distributionRole: row.distribution_role,
    direction: row.direction,
    instanceKey: row.instance_key,
    dueAt: row.due_at,
    createdAt: row.created_at,
    completedAt: row.completed_at,
    completedBy: row.completed_by,
    outcome: row.outcome,
    progress: row.progress,
    review: row.review,
    authority: row.authority,
  };
}

export type NewTask = Omit<
  TaskRecord,
  'state' | 'ownerUserId' | 'completedAt' | 'completedBy' | 'outcome' | 'progress' | 'review' | 'authority'
> & {
  /** The person the task was meant for, when a delegation in force gave it to someone else. */
  ownerUserId?: string | null;
  authority?: TaskAuthority | null;
};

export async function insertTask(tx: Tx, task: NewTask): Promise<TaskRecord> {
  const { rows } = await tx.query<Row>(
    `INSERT INTO tasks (id, process_id, agency_code, step, name, state, assignee_user_id, assignee_role, assignee_unit,
       document_id, document_version, signature_kind, actions, priority, urgent, distribution_role, direction,
       instance_key, due_at, created_at, owner_user_id, authority)
     VALUES ($1, $2, $3, $4, $5, 'open', $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21)
     RETURNING ${columns}`,
    [
      task.id,
      task.processId,
      task.agencyCode,
      task.step,
      task.name,
      task.assigneeUserId,
      task.assigneeRole,
      task.assigneeUnit,
      task.documentId,
      task.documentVersion,
      task.signatureKind,
      task.actions,
      task.priority,
      task.urgent,
      task.distributionRole,
      task.direction,
      task.instanceKey,
      task.dueAt,
      task.createdAt,
      task.ownerUserId ?? null,
      task.authority ? JSON.stringify(task.authority) : null,
    ],
  );
  return toTask(rows[0] as Row);
}

export async function findTask(tx: Tx, agencyCode: string, id: string): Promise<TaskRecord | undefined> {
  const { rows } = await tx.query<Row>(`SELECT ${columns} FROM tasks WHERE id = $1 AND agency_code = $2`, [
    id,
    agencyCode,
  ]);
  return rows[0] ? toTask(rows[0]) : undefined;
}

/** Every task of a process, oldest first. */
export async function tasksOfProcess(tx: Tx, processId: string): Promise<TaskRecord[]> {
  const { rows } = await tx.query<Row>(`SELECT ${columns} FROM tasks WHERE process_id = $1 ORDER BY created_at, id`, [
    processId,
  ]);
  return rows.map(toTask);
}

export async function openTasksOfProcess(tx: Tx, processId: string): Promise<TaskRecord[]> {
  const { rows } = await tx.query<Row>(
    `SELECT ${columns} FROM tasks WHERE process_id = $1 AND state IN ('open', 'claimed') ORDER BY created_at, id`,
    [processId],
  );
  return rows.map(toTask);
}

export type TaskChange = Partial<
  Pick<
    TaskRecord,
    | 'state'
    | 'assigneeUserId'
    | 'assigneeRole'
    | 'assigneeUnit'
    | 'ownerUserId'
    | 'documentVersion'
    | 'completedAt'
    | 'completedBy'
    | 'outcome'
    | 'progress'
    | 'dueAt'
    | 'review'
    | 'authority'
  >
>;

const changeColumns: Record<keyof TaskChange, string> = {
  state: 'state',
  assigneeUserId: 'assignee_user_id',
  assigneeRole: 'assignee_role',
  assigneeUnit: 'assignee_unit',
  ownerUserId: 'owner_user_id',
  documentVersion: 'document_version',
  completedAt: 'completed_at',
  completedBy: 'completed_by',
  outcome: 'outcome',
  progress: 'progress',
  dueAt: 'due_at',
  review: 'review',
  authority: 'authority',
};

export async function updateTask(tx: Tx, id: string, change: TaskChange): Promise<TaskRecord> {
  const entries = Object.entries(change) as [keyof TaskChange, unknown][];
  const sets = entries.map(([key], index) => `${changeColumns[key]} = $${index + 2}`);
  const values = entries.map(([key, value]) =>
    key === 'outcome' || key === 'progress' || ((key === 'review' || key === 'authority') && value !== null)
      ? JSON.stringify(value)
      : value,
  );
  const { rows } = await tx.query<Row>(`UPDATE tasks SET ${sets.join(', ')} WHERE id = $1 RETURNING ${columns}`, [
    id,
    ...values,
  ]);
  return toTask(rows[0] as Row);
}

/** A new uploaded version: open tasks now concern it (a signature on the older one is stale). */
export async function moveOpenTasksToVersion(tx: Tx, processId: string, version: number): Promise<TaskRecord[]> {
  const { rows } = await tx.query<Row>(
    `UPDATE tasks SET document_version = $2
      WHERE process_id = $1 AND state IN ('open', 'claimed') AND document_version < $2 RETURNING ${columns}`,
    [processId, version],
  );
  return rows.map(toTask);
}

export type InboxQuery = {
  agencyCode: string;
  userId: string;
  roles: string[];
  unitCode: string | null;
  states: TaskState[];
  dueBefore: Date | null;
  after: { urgent: boolean; createdAt: Date; id: string } | null;
  limit: number;
};

// A person's inbox: tasks assigned to them, plus unclaimed tasks of a role they hold in their unit
// (or agency-wide when the task names no unit). Urgent documents come first (NĐ 30/2020 Điều 23).
const inboxFilter = `agency_code = $1
  AND (assignee_user_id = $2
       OR (assignee_user_id IS NULL AND assignee_role = ANY($3::text[]) AND (assignee_unit IS NULL OR assignee_unit = $4)))
  AND ($5::timestamptz IS NULL OR due_at < $5)`;

/**
 * The inbox page and the counts per state in one statement: one round trip, and one snapshot, so the page and
 * its counts agree without a transaction around them (bench/routing/results.md measures why that matters). The
 * counts are a one-row subquery the page joins laterally, so an empty page still brings its counts.
 */
export async function listInboxWithCounts(
  tx: Tx,
  query: InboxQuery,
): Promise<{ tasks: TaskRecord[]; counts: Record<string, number> }> {
  const { rows } = await tx.query<Row & { counts: Record<string, number> | null }>(
    `SELECT page.*, c.counts
       FROM (SELECT jsonb_object_agg(state, n) AS counts
               FROM (SELECT state, count(*)::int AS n FROM tasks WHERE ${inboxFilter} GROUP BY state) per_state) c
       LEFT JOIN LATERAL (
         SELECT ${columns} FROM tasks
          WHERE ${inboxFilter} AND state = ANY($6::text[])
            AND ($7::boolean IS NULL OR urgent < $7 OR (urgent = $7 AND (created_at, id) > ($8, $9)))
          ORDER BY urgent DESC, created_at, id LIMIT $10) page ON true`,
    [
      query.agencyCode,
      query.userId,
      query.roles,
      query.unitCode,
      query.dueBefore,
      query.states,
      query.after?.urgent ?? null,
      query.after?.createdAt ?? null,
      query.after?.id ?? null,
      query.limit,
    ],
  );
  return {
    tasks: rows.filter((row) => row.id !== null).map(toTask),
    counts: rows[0]?.counts ?? {},
  };
}
