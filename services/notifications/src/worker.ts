import { withTransaction } from '@vanthu/platform';
import type { Logger, Pool } from '@vanthu/platform';
import type { NotificationsContext } from './context';
import { claimWebhookDeliveries } from './webhooks/claim-webhook-deliveries';
import { deliverWebhook } from './webhooks/deliver-webhook';

export type WorkerContext = Omit<NotificationsContext, 'runInTransaction' | 'requestId'>;

/** A plain transaction per unit of work (workers have no Idempotency-Key). */
export const workerContext = (base: WorkerContext, pool: Pool, requestId: string): NotificationsContext => ({
  ...base,
  requestId,
  runInTransaction: async (work) => ({ result: await withTransaction(pool, work), replayed: false }),
});

/**
 * Sends due deliveries concurrently: up to `concurrency` requests in flight, at most `perEndpoint` per
 * endpoint (the claim enforces it), each bounded by the timeout. A slow or dead receiver therefore holds at
 * most its own few slots while every other endpoint's deliveries go on. `wake()` (after the consumer stored
 * new deliveries) runs a round at once instead of waiting for the next poll.
 */
export class DeliveryWorker {
  private timer: NodeJS.Timeout | undefined;
  private inFlight = 0;
  private claiming: Promise<number> | undefined;
  private again = false;
  private stopped = false;
  private readonly pending = new Set<Promise<unknown>>();

  constructor(
    private readonly base: WorkerContext,
    private readonly pool: Pool,
    private readonly logger: Logger,
    private readonly pollMs: number,
  ) {}

  start(): void {
    this.stopped = false;
    this.timer = setInterval(() => this.wake(), this.pollMs);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.drain();
  }

  wake(): void {
    if (this.stopped) return;
    if (this.claiming) {
      this.again = true;
      return;
    }
    void this.round();
  }

  /** One claim; resolves when the claimed deliveries have been started (not finished). */
  round(): Promise<number> {
    if (this.claiming) return this.claiming;
    this.claiming = this.claim();
    return this.claiming;
  }

  private async claim(): Promise<number> {
    try {
      const free = this.base.settings.concurrency - this.inFlight;
      const claimed = await claimWebhookDeliveries(
        { limit: free },
        workerContext(this.base, this.pool, 'notifications-claim'),
      );
      for (const delivery of claimed) {
        this.inFlight += 1;
        const work = deliverWebhook({ delivery }, workerContext(this.base, this.pool, `delivery-${delivery.id}`))
          .catch((error: unknown) =>
            this.logger.warn(
              { err: error, deliveryId: delivery.id },
              'delivery bookkeeping failed; the lease expires and it is retried',
            ),
          )
          .finally(() => {
            this.inFlight -= 1;
            this.pending.delete(work);
            this.wake();
          });
        this.pending.add(work);
      }
      return claimed.length;
    } catch (error) {
      this.logger.warn({ err: error }, 'claiming webhook deliveries failed; next round retries');
      return 0;
    } finally {
      this.claiming = undefined;
      if (this.again) {
        this.again = false;
        this.wake();
      }
    }
  }

  /** Waits until no claim is running and no delivery is in flight (tests, shutdown). */
  async drain(): Promise<void> {
    while (this.claiming || this.pending.size > 0) {
      await Promise.allSettled([...(this.claiming ? [this.claiming] : []), ...this.pending]);
    }
  }
}
