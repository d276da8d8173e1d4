// The tasks the on-time figure, the processing reports and the overdue lists count, in one place.

export type ProcessingDirection = 'incoming' | 'outgoing';

/**
 * Every task of a process with its state as of the parameter `asOf` (now): done on time or late (routing's verdict
 * against the deadline on the agency's working calendar), overdue or not yet due while open, or
 * without a deadline. A task returned to an earlier step without being done (trả lại) is left out.
 */
export const handlingTasks = (asOf = '$4'): string => `
  SELECT t.task_id, t.agency_code, p.kind, t.distribution_role, t.step, t.document_id, t.assignee_unit,
         COALESCE(t.assignee_user_id, t.completed_by) AS person, t.due_at, t.completed_at, t.assigned_at,
         CASE WHEN t.due_at IS NULL THEN 'no-deadline'
              WHEN t.completed_at IS NOT NULL AND t.on_time THEN 'on-time'
              WHEN t.completed_at IS NOT NULL THEN 'late'
              WHEN t.due_at < ${asOf}::timestamptz THEN 'overdue'
              ELSE 'not-yet-due' END AS state
    FROM task_facts t JOIN process_facts p ON p.process_id = t.process_id
   WHERE NOT (t.returned_at IS NOT NULL AND t.completed_at IS NULL)`;

// Which tasks a processing report counts: for incoming documents every unit given the document to handle with a
// deadline of its own, the lead (chủ trì) and each cooperating unit (phối hợp), since the leader sets a deadline per
// unit when passing it on (NĐ 30/2020 Điều 23; docs/domain/requirements.md, section "1.8 Incoming flow", and item 23
// of section "7. Requirements this implies for vanthu": due, overdue and on time per unit and person) and each
// handles by it (Điều 24); those given it for information (để biết) have nothing to
// handle. For outgoing documents every step of the drafting, review, signing and issuing process (Điều 12–18).
export const processingScope: Record<ProcessingDirection, string> = {
  incoming: `kind = 'incoming' AND distribution_role IN ('lead', 'cooperate')`,
  outgoing: `kind = 'outgoing'`,
};
