import { AppError, requireRole } from '@vanthu/platform';
import type { Mutation } from '@vanthu/platform';
import type { NotificationsContext } from '../context';
import { deleteEndpoint, findEndpoint } from '../repositories/endpoints-repository';

export type DeleteWebhookEndpointInput = { endpointId: string };

/** Stops all deliveries to the endpoint; its delivery log stays. */
export async function deleteWebhookEndpoint(
  input: DeleteWebhookEndpointInput,
  ctx: NotificationsContext,
): Promise<Mutation<null>> {
  requireRole(ctx.identity, 'admin');
  return ctx.runInTransaction(async (tx) => {
    const endpoint = await findEndpoint(tx, ctx.identity.agencyCode, input.endpointId, { forUpdate: true });
    if (!endpoint) throw new AppError('NOT_FOUND', 'no such webhook endpoint');
    await deleteEndpoint(tx, endpoint.id, ctx.clock());
    return null;
  });
}
