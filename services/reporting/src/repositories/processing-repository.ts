import type { Tx } from '@vanthu/platform';
import { handlingTasks, processingScope } from './handling-tasks';
import type { ProcessingDirection } from './handling-tasks';

export type { ProcessingDirection } from './handling-tasks';

export type ProcessingCounts = {
  due: number;
  onTime: number;
  late: number;
  overdue: number;
  notYetDue: number;
  withoutDeadline: number;
};
/** role: the distribution role of incoming tasks (chủ trì lead, phối hợp cooperate); null for outgoing. */
export type ProcessingRow = {
  unit: string | null;
  person: string | null;
  role: 'lead' | 'cooperate' | null;
  counts: ProcessingCounts;
};

/**
 * Counts per unit and person of the tasks due in [from, to) (and, apart, those without a deadline
 * assigned in it), by their state as of `asOf`.
 */
export async function processingCounts(
  tx: Tx,
  query: { agencyCode: string; direction: ProcessingDirection; from: string; to: string; asOf: string },
): Promise<ProcessingRow[]> {
  const { rows } = await tx.query<Record<string, unknown>>(
    `SELECT assignee_unit, person, CASE WHEN kind = 'incoming' THEN distribution_role END AS role,
            count(*) FILTER (WHERE state <> 'no-deadline') AS due,
            count(*) FILTER (WHERE state = 'on-time') AS on_time,
            count(*) FILTER (WHERE state = 'late') AS late,
            count(*) FILTER (WHERE state = 'overdue') AS overdue,
            count(*) FILTER (WHERE state = 'not-yet-due') AS not_yet_due,
            count(*) FILTER (WHERE state = 'no-deadline') AS without_deadline
       FROM (${handlingTasks()}) h
      WHERE agency_code = $3 AND ${processingScope[query.direction]}
        AND ((due_at >= $1 AND due_at < $2) OR (due_at IS NULL AND assigned_at >= $1 AND assigned_at < $2))
      GROUP BY assignee_unit, person, 3
      ORDER BY assignee_unit NULLS LAST, person NULLS LAST, 3`,
    [query.from, query.to, query.agencyCode, query.asOf],
  );
  const n = (value: unknown): number => Number(value ?? 0);
  return rows.map((row) => ({
    unit: (row.assignee_unit as string | null) ?? null,
    person: (row.person as string | null) ?? null,
    role: (row.role as 'lead' | 'cooperate' | null) ?? null,
    counts: {
      due: n(row.due),
      onTime: n(row.on_time),
      late: n(row.late),
      overdue: n(row.overdue),
      notYetDue: n(row.not_yet_due),
      withoutDeadline: n(row.without_deadline),
    },
  }));
}
