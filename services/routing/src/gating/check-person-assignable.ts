import { AppError } from '@vanthu/platform';
import type { UseCaseContext } from '@vanthu/platform';
import { listProjectedCertificates } from '../repositories/gating-repository';
import type { PersonAssignability } from '../schemas/gating';
import { checkAssignable } from './assert-assignable';

export type CheckPersonAssignableInput = { userId: string; at?: string };

/** Whether a colleague may be given electronic work now (or at `at`), and why, for the assigning screen. */
export async function checkPersonAssignable(
  input: CheckPersonAssignableInput,
  ctx: UseCaseContext,
): Promise<PersonAssignability> {
  const at = input.at ? new Date(input.at) : ctx.clock();
  if (Number.isNaN(at.getTime())) throw new AppError('VALIDATION_FAILED', 'at is not a valid instant');
  const agencyCode = ctx.identity.agencyCode;
  const { result } = await ctx.runInTransaction(async (tx) => {
    const verdict = await checkAssignable(tx, { agencyCode, userId: input.userId, at });
    const certificates = await listProjectedCertificates(tx, { agencyCode, userId: input.userId });
    return {
      userId: input.userId,
      at: at.toISOString(),
      gatingDate: verdict.gatingDate,
      assignable: verdict.assignable,
      ...(verdict.assignable ? { because: verdict.because } : {}),
      ...(verdict.assignable && verdict.exceptionId ? { exceptionId: verdict.exceptionId } : {}),
      certificates: certificates.map((c) => ({
        certificateId: c.certificateId,
        state: c.state,
        notAfter: c.notAfter?.toISOString() ?? null,
        updatedAt: c.updatedAt.toISOString(),
      })),
    };
  });
  return result;
}
