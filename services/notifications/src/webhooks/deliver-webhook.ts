import { webhookEndpointDisabledV1 } from '@vanthu/contracts';
import { AppError, enqueueEvent } from '@vanthu/platform';
import { signedHeaders } from '../adapters/webhook-signer';
import type { SendOutcome } from '../adapters/webhook-sender';
import { eventSource } from '../config';
import type { NotificationsContext } from '../context';
import { finishAttempt, insertAttempt } from '../repositories/deliveries-repository';
import type { DueDelivery } from '../repositories/deliveries-repository';
import { disableEndpoint, markEndpointFailing, markEndpointHealthy } from '../repositories/endpoints-repository';
import { nextAttemptAfter } from '../rules/retry-schedule';

export type DeliverWebhookInput = { delivery: DueDelivery; jitter?: number };

const dayMs = 86_400_000;

/**
 * One attempt of one claimed delivery: sign with every secret in force, POST, record the attempt; a failure
 * (no answer in time, a redirect, any non-2xx) is retried on the backoff schedule, and an endpoint that has
 * failed everything for `disableAfterDays` is disabled with an event.
 */
export async function deliverWebhook(input: DeliverWebhookInput, ctx: NotificationsContext): Promise<SendOutcome> {
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
  });
  const attempt = delivery.attempts + 1;
  const at = ctx.clock();
  const status = outcome.status !== undefined ? { status: outcome.status } : {};
  // The endpoint row is written before the delivery rows in both branches, so two attempts of one endpoint
  // finishing together wait for each other instead of deadlocking (disabling updates every pending delivery).
  await ctx.runInTransaction(async (tx) => {
    const failing = outcome.ok ? undefined : await markEndpointFailing(tx, delivery.endpointId, at);
    if (outcome.ok) await markEndpointHealthy(tx, delivery.endpointId);
    await insertAttempt(tx, {
      deliveryId: delivery.id,
      attempt,
      at: sentAt,
      ...status,
      ...(outcome.ok ? {} : { error: outcome.error }),
      durationMs: outcome.durationMs,
    });
    if (outcome.ok) {
      await finishAttempt(tx, { id: delivery.id, attempt, state: 'succeeded', ...status, at });
      return;
    }
    const next = nextAttemptAfter(attempt, at, input.jitter ?? Math.random());
    const recorded = await finishAttempt(tx, {
      id: delivery.id,
      attempt,
      state: next ? 'pending' : 'failed',
      ...(next ? { nextAttemptAt: next } : {}),
      ...status,
      error: outcome.error,
      at,
    });
    if (!recorded) return;
    if (!failing || failing.state !== 'active') return;
    if (at.getTime() - failing.failingSince.getTime() < ctx.settings.disableAfterDays * dayMs) return;
    const reason = `every delivery failed for ${ctx.settings.disableAfterDays} days (last: ${outcome.error})`;
    if (!(await disableEndpoint(tx, delivery.endpointId, at, reason))) return;
    await enqueueEvent(
      tx,
      webhookEndpointDisabledV1,
      delivery.endpointId,
      {
        endpointId: delivery.endpointId,
        agencyCode: failing.agencyCode,
        url: failing.url,
        failingSince: failing.failingSince.toISOString(),
        disabledAt: at.toISOString(),
        reason: reason.slice(0, 1000),
      },
      { source: eventSource, requestId: ctx.requestId, agencyCode: failing.agencyCode },
      ctx.settings.topicPrefix,
    );
  });
  return outcome;
}
