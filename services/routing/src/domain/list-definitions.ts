import { listDefinitions as selectDefinitions } from '../repositories/definitions-repository';
import type { StoredDefinition } from '../repositories/definitions-repository';
import { resolveDefinition } from './resolve-definition';
import type { RoutingContext } from './routing-context';

export type ListDefinitionsInput = Record<string, never>;

/** The agency's definitions and the shipped defaults, every version. */
export async function listDefinitions(_input: ListDefinitionsInput, ctx: RoutingContext): Promise<StoredDefinition[]> {
  const { result } = await ctx.runInTransaction(async (tx) => {
    for (const kind of ['outgoing', 'incoming']) await resolveDefinition(tx, ctx.identity.agencyCode, kind);
    return selectDefinitions(tx, ctx.identity.agencyCode);
  });
  return result;
}
