import { AppError } from '@vanthu/platform';
import type { UseCaseContext } from '@vanthu/platform';
import { resolveDelegate } from './resolve-delegate';

export type FindDelegateInput = { userId: string; at?: string };

/** Who receives a task meant for `userId` now (or at `at`). */
export async function findDelegate(
  input: FindDelegateInput,
  ctx: UseCaseContext,
): Promise<{ userId: string; at: string; receivedBy: string }> {
  const at = input.at ? new Date(input.at) : ctx.clock();
  if (Number.isNaN(at.getTime())) throw new AppError('VALIDATION_FAILED', 'at is not an instant');
  const { result } = await ctx.runInTransaction(async (tx) => ({
    userId: input.userId,
    at: at.toISOString(),
    receivedBy: await resolveDelegate(tx, { agencyCode: ctx.identity.agencyCode, userId: input.userId, at }),
  }));
  return result;
}
