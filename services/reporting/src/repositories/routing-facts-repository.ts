import type { Tx } from '@vanthu/platform';
import { upsertFact } from './upsert-fact';

// Processes and tasks from routing's events. The first value of a column wins (COALESCE, LEAST), except
// the assignee, which the latest event naming one sets, so a replay or another order leaves the same row.

export async function recordProcessStarted(
  tx: Tx,
  fact: {
    processId: string;
    agencyCode: string;
    kind: string;
    documentId: string;
    startedBy: string;
    startedAt: string;
    urgency: string | null;
  },
): Promise<void> {
  await upsertFact(tx, 'process_facts', 'process_id', {
    process_id: fact.processId,
    agency_code: fact.agencyCode,
    kind: fact.kind,
    document_id: fact.documentId,
    started_by: fact.startedBy,
    started_at: fact.startedAt,
    urgency: fact.urgency,
  });
}

export async function recordProcessCompleted(
  tx: Tx,
  fact: {
    processId: string;
    agencyCode: string;
    kind: string;
    documentId: string;
    outcome: string;
    completedAt: string;
    dueAt: string | null;
    onTime: boolean | null;
  },
): Promise<void> {
  await upsertFact(tx, 'process_facts', 'process_id', {
    process_id: fact.processId,
    agency_code: fact.agencyCode,
    kind: fact.kind,
    document_id: fact.documentId,
    outcome: fact.outcome,
    completed_at: fact.completedAt,
    due_at: fact.dueAt,
    on_time: fact.onTime,
  });
}

/** One return more (the inbox counts each returned event once; a rebuild starts from empty tables). */
export async function recordProcessReturned(tx: Tx, fact: { processId: string; agencyCode: string }): Promise<void> {
  await tx.query(
    `INSERT INTO process_facts (process_id, agency_code, returned_count) VALUES ($1, $2, 1)
     ON CONFLICT (process_id) DO UPDATE SET returned_count = process_facts.returned_count + 1`,
    [fact.processId, fact.agencyCode],
  );
}

export type TaskFact = {
  taskId: string;
  processId: string;
  agencyCode: string;
  step: string;
  documentId: string;
  dueAt: string | null;
  assignee: { userId: string | null; role: string | null; unit: string | null } | null;
  /** When the event happened: the assignee of the latest event is the task's assignee. */
  at: string;
  assignedAt?: string;
  distributionRole?: string | null;
  completedAt?: string;
  completedBy?: string;
  onTime?: boolean;
  returnedAt?: string;
  overdueAt?: string;
  overdueSla?: string | null;
};

/** Any task event: the columns it carries, first value kept, the assignee of the latest event. */
export async function recordTaskEvent(tx: Tx, fact: TaskFact): Promise<void> {
  await tx.query(
    `INSERT INTO task_facts (task_id, process_id, agency_code, step, document_id, due_at, assignee_user_id,
                             assignee_role, assignee_unit, assignee_at, assigned_at, distribution_role, completed_at,
                             completed_by, on_time, returned_at, overdue_at, overdue_sla)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)
     ON CONFLICT (task_id) DO UPDATE SET
       process_id = COALESCE(task_facts.process_id, EXCLUDED.process_id),
       step = COALESCE(task_facts.step, EXCLUDED.step),
       document_id = COALESCE(task_facts.document_id, EXCLUDED.document_id),
       due_at = COALESCE(task_facts.due_at, EXCLUDED.due_at),
       assignee_user_id = CASE WHEN EXCLUDED.assignee_at IS NOT NULL AND (task_facts.assignee_at IS NULL
                                 OR EXCLUDED.assignee_at >= task_facts.assignee_at)
                               THEN EXCLUDED.assignee_user_id ELSE task_facts.assignee_user_id END,
       assignee_role = CASE WHEN EXCLUDED.assignee_at IS NOT NULL AND (task_facts.assignee_at IS NULL
                              OR EXCLUDED.assignee_at >= task_facts.assignee_at)
                            THEN EXCLUDED.assignee_role ELSE task_facts.assignee_role END,
       assignee_unit = CASE WHEN EXCLUDED.assignee_at IS NOT NULL AND (task_facts.assignee_at IS NULL
                              OR EXCLUDED.assignee_at >= task_facts.assignee_at)
                            THEN EXCLUDED.assignee_unit ELSE task_facts.assignee_unit END,
       assignee_at = GREATEST(task_facts.assignee_at, EXCLUDED.assignee_at),
       assigned_at = LEAST(task_facts.assigned_at, EXCLUDED.assigned_at),
       distribution_role = COALESCE(task_facts.distribution_role, EXCLUDED.distribution_role),
       completed_at = COALESCE(task_facts.completed_at, EXCLUDED.completed_at),
       completed_by = COALESCE(task_facts.completed_by, EXCLUDED.completed_by),
       on_time = COALESCE(task_facts.on_time, EXCLUDED.on_time),
       returned_at = COALESCE(task_facts.returned_at, EXCLUDED.returned_at),
       overdue_at = LEAST(task_facts.overdue_at, EXCLUDED.overdue_at),
       overdue_sla = COALESCE(task_facts.overdue_sla, EXCLUDED.overdue_sla)`,
    [
      fact.taskId,
      fact.processId,
      fact.agencyCode,
      fact.step,
      fact.documentId,
      fact.dueAt,
      fact.assignee?.userId ?? null,
      fact.assignee?.role ?? null,
      fact.assignee?.unit ?? null,
      fact.assignee ? fact.at : null,
      fact.assignedAt ?? null,
      fact.distributionRole ?? null,
      fact.completedAt ?? null,
      fact.completedBy ?? null,
      fact.onTime ?? null,
      fact.returnedAt ?? null,
      fact.overdueAt ?? null,
      fact.overdueSla ?? null,
    ],
  );
}
