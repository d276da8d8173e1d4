import { AppError, requireRole } from '@vanthu/platform';
import type { Mutation } from '@vanthu/platform';
import type { NotificationsContext } from '../context';
import { enableEndpoint, findEndpoint } from '../repositories/endpoints-repository';
import { endpointView } from './endpoint-view';
import type { EndpointView } from './endpoint-view';

export type EnableWebhookEndpointInput = { endpointId: string };

/**
 * Turns a disabled endpoint back on (after the integrator fixed the receiver). Its address is checked again
 * at every connection, so nothing is re-resolved here.
 */
export async function enableWebhookEndpoint(
  input: EnableWebhookEndpointInput,
  ctx: NotificationsContext,
): Promise<Mutation<EndpointView>> {
  requireRole(ctx.identity, 'admin');
  return ctx.runInTransaction(async (tx) => {
    const endpoint = await findEndpoint(tx, ctx.identity.agencyCode, input.endpointId, { forUpdate: true });
    if (!endpoint) throw new AppError('NOT_FOUND', 'no such webhook endpoint');
    return endpointView(await enableEndpoint(tx, endpoint.id), ctx.clock());
  });
}
