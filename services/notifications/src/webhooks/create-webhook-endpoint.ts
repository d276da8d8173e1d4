import { randomUUID } from 'node:crypto';
import { AppError, requireRole } from '@vanthu/platform';
import type { Mutation } from '@vanthu/platform';
import { newWebhookSecret } from '../adapters/webhook-signer';
import { resolveHost } from '../adapters/resolve-host';
import type { NotificationsContext } from '../context';
import { insertEndpoint } from '../repositories/endpoints-repository';
import { EndpointRefused, checkEndpointUrl, checkResolvedAddress } from '../rules/endpoint-address';
import { endpointView } from './endpoint-view';
import type { EndpointView } from './endpoint-view';

export type CreateWebhookEndpointInput = { url: string; eventTypes: string[]; description?: string };

/** Refusals of the endpoint's address are 422 with the reason as the field error. */
export function refusedEndpoint(error: unknown): never {
  if (error instanceof EndpointRefused) {
    throw new AppError('UNPROCESSABLE', error.message, {
      cause: error,
      errors: [{ field: '/url', message: error.message }],
    });
  }
  throw error;
}

/**
 * Checks what can be checked before anything is sent: the URL's form and, in production, that every
 * address its host resolves to is public (delivery checks again at connection time).
 */
export async function checkEndpointAddress(raw: string, ctx: NotificationsContext): Promise<void> {
  try {
    const url = checkEndpointUrl(raw, ctx.settings.mode);
    if (ctx.settings.mode !== 'production') return;
    let addresses: string[];
    try {
      addresses = await resolveHost(url.hostname);
    } catch {
      throw new EndpointRefused('unresolvable', `the endpoint's host ${url.hostname} does not resolve`);
    }
    for (const address of addresses) checkResolvedAddress(address, ctx.settings.mode);
  } catch (error) {
    refusedEndpoint(error);
  }
}

/** Registers an integrator's endpoint for the caller's agency and answers its secret, this once. */
export async function createWebhookEndpoint(
  input: CreateWebhookEndpointInput,
  ctx: NotificationsContext,
): Promise<Mutation<EndpointView & { secret: string }>> {
  requireRole(ctx.identity, 'admin');
  await checkEndpointAddress(input.url, ctx);
  const secret = newWebhookSecret();
  return ctx.runInTransaction(async (tx) => {
    const endpoint = await insertEndpoint(tx, {
      id: randomUUID(),
      agencyCode: ctx.identity.agencyCode,
      url: input.url,
      description: input.description ?? '',
      eventTypes: [...new Set(input.eventTypes)],
      secret,
      createdBy: ctx.identity.userId,
      at: ctx.clock(),
    });
    return { ...endpointView(endpoint, ctx.clock()), secret };
  });
}
