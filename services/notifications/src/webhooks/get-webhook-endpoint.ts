import { AppError, requireRole, withTransaction } from '@vanthu/platform';
import { findEndpoint } from '../repositories/endpoints-repository';
import { endpointView } from './endpoint-view';
import type { EndpointView } from './endpoint-view';
import type { ReadContext } from './read-context';

export type GetWebhookEndpointInput = { endpointId: string };

export async function getWebhookEndpoint(input: GetWebhookEndpointInput, ctx: ReadContext): Promise<EndpointView> {
  requireRole(ctx.identity, 'admin');
  const endpoint = await withTransaction(ctx.pool, (tx) => findEndpoint(tx, ctx.identity.agencyCode, input.endpointId));
  if (!endpoint) throw new AppError('NOT_FOUND', 'no such webhook endpoint');
  return endpointView(endpoint, ctx.clock());
}
