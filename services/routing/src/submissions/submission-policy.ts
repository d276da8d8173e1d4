import { requireRole } from '@vanthu/platform';
import type { Mutation, Tx, UseCaseContext } from '@vanthu/platform';
import { findSubmissionPolicy, upsertSubmissionPolicy } from '../repositories/submissions-repository';
import type { SubmissionPolicy, SubmissionPolicyUpdate } from '../schemas/submission';

/**
 * The defaults (docs/domain/directives.md, Lục Nam §1): only the unit leader's account sends (a draft sent from a
 * specialist's account is returned, not examined), every dossier carries a tờ trình, and the tờ trình is signed
 * ("phải có Tờ trình của lãnh đạo cơ quan, đơn vị kèm theo").
 */
export const defaultSubmissionPolicy = {
  senderMustBeUnitLeader: true,
  requiredComponents: { '*': ['to-trinh'] } as Record<string, string[]>,
  signedComponents: ['to-trinh'],
};

/** The agency's submission rules, or the defaults. */
export async function loadSubmissionPolicy(tx: Tx, agencyCode: string): Promise<SubmissionPolicy> {
  const stored = await findSubmissionPolicy(tx, agencyCode);
  if (!stored) return { agencyCode, ...defaultSubmissionPolicy, source: 'default' };
  return {
    agencyCode,
    senderMustBeUnitLeader: stored.senderMustBeUnitLeader,
    requiredComponents: stored.requiredComponents,
    signedComponents: stored.signedComponents,
    source: 'agency',
    updatedBy: stored.updatedBy,
    updatedAt: stored.updatedAt.toISOString(),
  };
}

export async function getSubmissionPolicy(
  _input: Record<string, never>,
  ctx: UseCaseContext,
): Promise<SubmissionPolicy> {
  const { result } = await ctx.runInTransaction((tx) => loadSubmissionPolicy(tx, ctx.identity.agencyCode));
  return result;
}

/** The head of the agency or an administrator sets the agency's own rules for dossiers sent up. */
export async function setSubmissionPolicy(
  input: SubmissionPolicyUpdate,
  ctx: UseCaseContext,
): Promise<Mutation<SubmissionPolicy>> {
  requireRole(ctx.identity, 'agency-leader', 'admin');
  return ctx.runInTransaction(async (tx) => {
    await upsertSubmissionPolicy(tx, {
      agencyCode: ctx.identity.agencyCode,
      senderMustBeUnitLeader: input.senderMustBeUnitLeader,
      requiredComponents: input.requiredComponents,
      signedComponents: input.signedComponents,
      updatedBy: ctx.identity.userId,
      updatedAt: ctx.clock(),
    });
    return loadSubmissionPolicy(tx, ctx.identity.agencyCode);
  });
}
