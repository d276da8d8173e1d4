import type { UseCaseContext } from '@vanthu/platform';
import { listCertificateExceptions as listExceptionRows } from '../repositories/gating-repository';
import type { CertificateException } from '../schemas/gating';
import { exceptionView } from './certificate-gating-views';

export type ListCertificateExceptionsInput = { userId?: string };

export async function listCertificateExceptions(
  input: ListCertificateExceptionsInput,
  ctx: UseCaseContext,
): Promise<{ items: CertificateException[] }> {
  const { result } = await ctx.runInTransaction(async (tx) => ({
    items: (
      await listExceptionRows(tx, {
        agencyCode: ctx.identity.agencyCode,
        ...(input.userId ? { userId: input.userId } : {}),
      })
    ).map(exceptionView),
  }));
  return result;
}
