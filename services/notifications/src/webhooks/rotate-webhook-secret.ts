import { AppError, requireRole } from '@vanthu/platform';
import type { Mutation } from '@vanthu/platform';
import { newWebhookSecret } from '../adapters/webhook-signer';
import type { NotificationsContext } from '../context';
import { findEndpoint, rotateEndpointSecret } from '../repositories/endpoints-repository';

export type RotateWebhookSecretInput = { endpointId: string };

/**
 * A new secret signs every delivery from now on; the previous one signs beside it for the overlap
 * (Standard Webhooks 1.0 "Key rotation": several signatures in one header), so deliveries already pending
 * and receivers not yet updated keep verifying.
 */
export async function rotateWebhookSecret(
  input: RotateWebhookSecretInput,
  ctx: NotificationsContext,
): Promise<Mutation<{ secret: string; previousSecretValidUntil: string }>> {
  requireRole(ctx.identity, 'admin');
  const secret = newWebhookSecret();
  return ctx.runInTransaction(async (tx) => {
    const endpoint = await findEndpoint(tx, ctx.identity.agencyCode, input.endpointId, { forUpdate: true });
    if (!endpoint) throw new AppError('NOT_FOUND', 'no such webhook endpoint');
    const until = new Date(ctx.clock().getTime() + ctx.settings.secretOverlapHours * 3_600_000);
    await rotateEndpointSecret(tx, endpoint.id, secret, until);
    return { secret, previousSecretValidUntil: until.toISOString() };
  });
}
