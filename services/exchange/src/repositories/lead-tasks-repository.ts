import type { Tx } from '@vanthu/platform';

/** Remembers a lead (chủ trì) task of a received document; a redelivered assignment adds nothing. */
export async function insertLeadTask(tx: Tx, row: { taskId: string; exchangeId: string; at: Date }): Promise<void> {
  await tx.query(
    `INSERT INTO lead_tasks (task_id, exchange_id, created_at) VALUES ($1, $2, $3) ON CONFLICT (task_id) DO NOTHING`,
    [row.taskId, row.exchangeId, row.at],
  );
}

export async function findLeadTaskExchange(tx: Tx, taskId: string): Promise<string | undefined> {
  const { rows } = await tx.query<{ exchange_id: string }>('SELECT exchange_id FROM lead_tasks WHERE task_id = $1', [
    taskId,
  ]);
  return rows[0]?.exchange_id;
}
