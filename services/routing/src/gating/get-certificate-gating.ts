import type { UseCaseContext } from '@vanthu/platform';
import { findGatingSetting } from '../repositories/gating-repository';
import type { GatingSetting } from '../schemas/gating';
import { defaultGatingDate } from './assert-assignable';

export type GetCertificateGatingInput = Record<string, never>;

export async function getCertificateGating(
  _input: GetCertificateGatingInput,
  ctx: UseCaseContext,
): Promise<GatingSetting> {
  const agencyCode = ctx.identity.agencyCode;
  const { result } = await ctx.runInTransaction(async (tx) => {
    const setting = await findGatingSetting(tx, agencyCode);
    return setting
      ? {
          agencyCode,
          gatingDate: setting.gatingDate,
          source: 'agency' as const,
          updatedBy: setting.updatedBy,
          updatedAt: setting.updatedAt.toISOString(),
        }
      : { agencyCode, gatingDate: defaultGatingDate, source: 'default' as const };
  });
  return result;
}
