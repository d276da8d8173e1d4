import { AppError } from '@vanthu/platform';
import { signedHeaders } from '../adapters/webhook-signer';
import type { SendOutcome } from '../adapters/webhook-sender';
import type { NotificationsContext } from '../context';
import type { DueDelivery } from '../repositories/deliveries-repository';

export type SendWebhookDeliveryInput = { delivery: DueDelivery };

/** One attempt as sent, for `recordWebhookAttempts`. */
export type SentAttempt = { delivery: DueDelivery; sentAt: Date; at: Date; outcome: SendOutcome };

/**
 * One attempt of one claimed delivery: sign with every secret in force (both during a rotation's overlap) and POST
 * over the endpoint's kept-alive connections. Nothing is written here: the worker records attempts in batches.
 */
export async function sendWebhookDelivery(
  input: SendWebhookDeliveryInput,
  ctx: NotificationsContext,
): Promise<SentAttempt> {
  const { delivery } = input;
  if (!ctx.send) throw new AppError('INTERNAL', 'no webhook sender configured');
  const sentAt = ctx.clock();
  const secrets = [delivery.secret];
  if (delivery.previousSecret && delivery.previousSecretUntil && delivery.previousSecretUntil > sentAt) {
    secrets.push(delivery.previousSecret);
  }
  const outcome = await ctx.send({
    url: delivery.url,
    headers: signedHeaders(secrets, delivery.messageId, sentAt, delivery.body),
    body: delivery.body,
    timeoutMs: ctx.settings.timeoutMs,
    connection: delivery.endpointId,
  });
  return { delivery, sentAt, at: ctx.clock(), outcome };
}
