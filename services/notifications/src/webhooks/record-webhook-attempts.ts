import { webhookEndpointDisabledV1 } from '@vanthu/contracts';
import { enqueueEvent } from '@vanthu/platform';
import { eventSource } from '../config';
import { statementRunner } from '../context';
import type { NotificationsContext } from '../context';
import { recordAttempts } from '../repositories/deliveries-repository';
import type { EndpointOutcome, FailingEndpoint, FinishRow } from '../repositories/deliveries-repository';
import { disableEndpoint } from '../repositories/endpoints-repository';
import { nextAttemptAfter } from '../rules/retry-schedule';
import type { SentAttempt } from './send-webhook-delivery';

export type RecordWebhookAttemptsInput = {
  attempts: SentAttempt[];
  /** Deliveries the worker gives back unattempted. */
  released: string[];
  workerId: string;
  /** In [0, 1): the retry jitter (tests fix it); random per attempt otherwise. */
  jitter?: number;
};

const dayMs = 86_400_000;
const byEnd = (a: SentAttempt, b: SentAttempt) => a.at.getTime() - b.at.getTime();

/** What the batch says about each endpoint, its attempts in the order they ended. */
function endpointOutcomes(attempts: SentAttempt[], probeMs: number): EndpointOutcome[] {
  const byEndpoint = new Map<string, SentAttempt[]>();
  for (const attempt of attempts) {
    const list = byEndpoint.get(attempt.delivery.endpointId) ?? [];
    list.push(attempt);
    byEndpoint.set(attempt.delivery.endpointId, list);
  }
  return [...byEndpoint].map(([id, list]) => {
    list.sort(byEnd);
    const lastSuccess = list.map((a) => a.outcome.ok).lastIndexOf(true);
    const failures = list.slice(lastSuccess + 1);
    const first = failures[0];
    const last = failures[failures.length - 1];
    return {
      id,
      succeeded: lastSuccess >= 0,
      ...(first && last ? { failingFrom: first.at, pausedUntil: new Date(last.at.getTime() + probeMs) } : {}),
    };
  });
}

/**
 * Records a batch of attempts in one statement: each attempt in the delivery log; each delivery succeeded, due again
 * on the backoff schedule (any answer but 2xx, or none in time) or given up when the schedule is exhausted; each
 * endpoint healthy again after a success, or failing and paused until its next probe after a failure. Then an
 * endpoint that has failed everything for `disableAfterDays` is disabled with an event, in a transaction of its own
 * (should that one not commit, the endpoint's next recorded failure decides again).
 */
export async function recordWebhookAttempts(
  input: RecordWebhookAttemptsInput,
  ctx: NotificationsContext,
): Promise<void> {
  const { attempts } = input;
  if (attempts.length === 0 && input.released.length === 0) return;
  const finishes: FinishRow[] = attempts.map(({ delivery, sentAt, at, outcome }) => {
    const attempt = delivery.attempts + 1;
    const common = {
      id: delivery.id,
      attempt,
      sentAt,
      at,
      durationMs: outcome.durationMs,
      ...(outcome.status !== undefined ? { status: outcome.status } : {}),
    };
    if (outcome.ok) return { ...common, state: 'succeeded' };
    const next = nextAttemptAfter(attempt, at, input.jitter ?? Math.random());
    return next
      ? { ...common, state: 'pending', nextAttemptAt: next, error: outcome.error }
      : { ...common, state: 'failed', error: outcome.error };
  });
  const { recorded, failing } = await statementRunner(ctx)((db) =>
    recordAttempts(db, {
      finishes,
      released: input.released,
      workerId: input.workerId,
      endpoints: endpointOutcomes(attempts, ctx.settings.failingProbeMs),
    }),
  );
  for (const endpoint of failing) {
    const last = attempts
      .filter((a) => a.delivery.endpointId === endpoint.id && recorded.has(a.delivery.id))
      .sort(byEnd)
      .pop();
    if (!last || last.outcome.ok || endpoint.state !== 'active') continue;
    if (last.at.getTime() - endpoint.failingSince.getTime() < ctx.settings.disableAfterDays * dayMs) continue;
    await disableFailingEndpoint(endpoint, last, ctx);
  }
}

async function disableFailingEndpoint(
  endpoint: FailingEndpoint,
  last: SentAttempt,
  ctx: NotificationsContext,
): Promise<void> {
  const at = last.at;
  const error = last.outcome.ok ? '' : last.outcome.error;
  const reason = `every delivery failed for ${ctx.settings.disableAfterDays} days (last: ${error})`;
  await ctx.runInTransaction(async (tx) => {
    if (!(await disableEndpoint(tx, endpoint.id, at, reason))) return;
    await enqueueEvent(
      tx,
      webhookEndpointDisabledV1,
      endpoint.id,
      {
        endpointId: endpoint.id,
        agencyCode: endpoint.agencyCode,
        url: endpoint.url,
        failingSince: endpoint.failingSince.toISOString(),
        disabledAt: at.toISOString(),
        reason: reason.slice(0, 1000),
      },
      { source: eventSource, requestId: ctx.requestId, agencyCode: endpoint.agencyCode },
      ctx.settings.topicPrefix,
    );
  });
}
