import { AppError } from '@vanthu/platform';
import { listHistory } from '../repositories/history-repository';
import type { HistoryEntry } from '../repositories/history-repository';
import { findProcess } from '../repositories/processes-repository';
import type { RoutingContext } from './routing-context';

export type GetProcessHistoryInput = { processId: string };

/** Every transition, comment, return reason, delegation and signature reference, in order. */
export async function getProcessHistory(input: GetProcessHistoryInput, ctx: RoutingContext): Promise<HistoryEntry[]> {
  const { result } = await ctx.runInTransaction(async (tx) => {
    const process = await findProcess(tx, ctx.identity.agencyCode, input.processId);
    if (!process) throw new AppError('NOT_FOUND', `process ${input.processId} not found`);
    return listHistory(tx, process.id);
  });
  return result;
}
