import { AppError } from '@vanthu/platform';
import { findProcess } from '../repositories/processes-repository';
import { signaturesOfProcess } from '../repositories/signatures-repository';
import { tasksOfProcess } from '../repositories/tasks-repository';
import type { ProcessView } from '../schemas/routing';
import type { RoutingContext } from './routing-context';
import { processView } from './views';

export type GetProcessInput = { processId: string };

/** A process of the caller's agency with its tasks and the signatures signing reported on it. */
export async function getProcess(input: GetProcessInput, ctx: RoutingContext): Promise<ProcessView> {
  const { result } = await ctx.runInTransaction(async (tx) => {
    const process = await findProcess(tx, ctx.identity.agencyCode, input.processId);
    if (!process) throw new AppError('NOT_FOUND', `process ${input.processId} not found`);
    return processView(
      process,
      await tasksOfProcess(tx, process.id),
      await signaturesOfProcess(tx, process.id),
      ctx.clock(),
    );
  });
  return result;
}
