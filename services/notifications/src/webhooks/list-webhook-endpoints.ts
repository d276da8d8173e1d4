import { requireRole, withTransaction } from '@vanthu/platform';
import { listEndpoints } from '../repositories/endpoints-repository';
import { endpointView } from './endpoint-view';
import type { EndpointView } from './endpoint-view';
import type { ReadContext } from './read-context';

export type ListWebhookEndpointsInput = Record<string, never>;

/** The caller's agency's endpoints, oldest first (an agency has a handful). */
export async function listWebhookEndpoints(
  _input: ListWebhookEndpointsInput,
  ctx: ReadContext,
): Promise<{ items: EndpointView[] }> {
  requireRole(ctx.identity, 'admin');
  const endpoints = await withTransaction(ctx.pool, (tx) => listEndpoints(tx, ctx.identity.agencyCode));
  return { items: endpoints.map((endpoint) => endpointView(endpoint, ctx.clock())) };
}
