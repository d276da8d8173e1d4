import { randomUUID } from 'node:crypto';
import { requireRole } from '@vanthu/platform';
import type { Mutation } from '@vanthu/platform';
import { parseDefinition } from '../definitions/parse-definition';
import { insertDefinition } from '../repositories/definitions-repository';
import type { StoredDefinition } from '../repositories/definitions-repository';
import type { RoutingContext } from './routing-context';

export type UploadDefinitionInput = { definition: unknown };

/**
 * Stores the agency's next version of a process definition. Processes already running keep the
 * version they started on; new ones start on this one. A definition that does not parse, or has a
 * step no path reaches, is refused naming the step.
 */
export async function uploadDefinition(
  input: UploadDefinitionInput,
  ctx: RoutingContext,
): Promise<Mutation<StoredDefinition>> {
  requireRole(ctx.identity, 'admin');
  const definition = parseDefinition(input.definition);
  return ctx.runInTransaction((tx) =>
    insertDefinition(tx, {
      id: randomUUID(),
      agencyCode: ctx.identity.agencyCode,
      kind: definition.kind,
      definition,
      createdBy: ctx.identity.userId,
    }),
  );
}
