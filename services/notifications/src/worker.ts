import { randomUUID } from 'node:crypto';
import { withTransaction } from '@vanthu/platform';
import type { Logger, Pool, Tx } from '@vanthu/platform';
import type { NotificationsContext } from './context';
import type { DueDelivery } from './repositories/deliveries-repository';
import { releaseDispatcherLock, tryDispatcherLock } from './repositories/dispatcher-lock-repository';
import { claimWebhookDeliveries } from './webhooks/claim-webhook-deliveries';
import { recordWebhookAttempts } from './webhooks/record-webhook-attempts';
import { sendWebhookDelivery } from './webhooks/send-webhook-delivery';
import { takeOverWebhookDeliveries } from './webhooks/take-over-webhook-deliveries';
import type { SentAttempt } from './webhooks/send-webhook-delivery';

export type WorkerContext = Omit<NotificationsContext, 'runInTransaction' | 'requestId'>;

/** A plain transaction per unit of work (workers have no Idempotency-Key); single statements on the pool. */
export const workerContext = (base: WorkerContext, pool: Pool, requestId: string): NotificationsContext => ({
  ...base,
  requestId,
  runInTransaction: async (work) => ({ result: await withTransaction(pool, work), replayed: false }),
  runStatement: (work) => work(pool),
});

/** One endpoint's deliveries leased to this worker and not yet sent, and its requests in flight. */
type EndpointQueue = { deliveries: DueDelivery[]; inFlight: number; failing: boolean };

/** A queued delivery is sent only if its lease still covers the request and this long for its bookkeeping. */
const leaseMarginMs = 5_000;
/**
 * Outcomes are gathered this long before a record of fewer than `gatherUpTo`: per delivery, a record of 64 costs this
 * process 26 µs against 48 for one of 16 (measured), and the wait holds only leases, never a receiver.
 */
const gatherMs = 20;
const gatherUpTo = 128;
/** A batch whose bookkeeping keeps failing is tried this often before its leases are left to expire. */
const recordTries = 3;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Sends due deliveries. One worker per database dispatches at a time (a session advisory lock; another process's
 * worker stands by and takes over when that session ends), and its claims and records are single statements. A
 * claim leases a queue per endpoint (up to `prefetch` deliveries); the worker sends from
 * those queues in memory, at most `perEndpoint` requests in flight per endpoint and `concurrency` in all, so an
 * endpoint's next request starts as soon as its previous one is answered, without waiting for the database. A
 * slow or dead receiver therefore holds at most its own few slots while every other endpoint's deliveries go on;
 * once a request to an endpoint fails, the rest of its queue is given back and the endpoint is probed one request
 * at a time, at most once per `failingProbeMs`, until a delivery succeeds. Outcomes are recorded in batches, one
 * transaction for all the attempts that ended meanwhile, and each batch frees leases for the next claim. `wake()`
 * (after the consumer stored new deliveries) claims at once instead of waiting for the next poll.
 */
export class DeliveryWorker {
  /** The lease holder's name in the database. */
  readonly id = randomUUID();
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private claiming: Promise<number> | undefined;
  private claimAgain = false;
  private readonly queues = new Map<string, EndpointQueue>();
  /** Deliveries leased to this worker and neither recorded nor given back yet. */
  private held = 0;
  /** Leases freed by records since the last claim. */
  private freed = 0;
  private inFlight = 0;
  private readonly sending = new Set<Promise<void>>();
  private sent: SentAttempt[] = [];
  private released: string[] = [];
  private recording: Promise<void> | undefined;
  /** The session holding the dispatcher lock while this worker dispatches. */
  private leader: Tx | undefined;
  private leaderTriedAt = 0;
  private sendContextCache: NotificationsContext | undefined;

  constructor(
    private readonly base: WorkerContext,
    private readonly pool: Pool,
    private readonly logger: Logger,
    private readonly pollMs: number,
  ) {}

  start(): void {
    this.stopped = false;
    // The poll picks up retries come due, for any endpoint, whatever the other endpoints have queued.
    this.timer = setInterval(() => this.wake(), this.pollMs);
  }

  /** Stops claiming, gives back what is queued, waits for the requests in flight and records them. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    while (this.claiming) await this.claiming;
    for (const queue of this.queues.values()) this.giveBack(queue.deliveries.splice(0));
    await this.settle();
    await this.resign();
  }

  wake(): void {
    if (this.stopped) return;
    if (this.claiming) {
      this.claimAgain = true;
      return;
    }
    this.claiming = this.claim();
  }

  /** One claim; resolves when the claimed deliveries are queued and as many started as the limits allow. */
  round(): Promise<number> {
    if (this.claiming) return this.claiming;
    this.claiming = this.claim(true);
    return this.claiming;
  }

  /** Waits until nothing is claimed, queued, in flight or unrecorded (tests, shutdown). */
  async drain(): Promise<void> {
    while (this.claiming || this.queued() > 0 || this.busy()) {
      this.pump();
      await Promise.allSettled([...(this.claiming ? [this.claiming] : []), ...this.sending, this.recording]);
      if (!this.recording && this.sent.length + this.released.length > 0) this.record();
    }
  }

  private busy(): boolean {
    return this.sending.size > 0 || this.recording !== undefined || this.sent.length + this.released.length > 0;
  }

  private async settle(): Promise<void> {
    while (this.busy()) {
      if (!this.recording && this.sent.length + this.released.length > 0) this.record();
      await Promise.allSettled([...this.sending, this.recording]);
    }
  }

  private queued(): number {
    let n = 0;
    for (const queue of this.queues.values()) n += queue.deliveries.length;
    return n;
  }

  private context(requestId: string): NotificationsContext {
    return workerContext(this.base, this.pool, requestId);
  }

  /** One context for every send, not one per delivery (a delivery's id is in its own log lines). */
  private get sendContext(): NotificationsContext {
    this.sendContextCache ??= this.context('notifications-dispatch');
    return this.sendContextCache;
  }

  /**
   * True while this worker holds the dispatcher lock. A standby worker tries to take it at most once per poll
   * interval (or a second), not on every wake; an explicit `round()` always tries.
   */
  private async lead(always: boolean): Promise<boolean> {
    if (this.leader) return true;
    const now = Date.now();
    if (!always && now - this.leaderTriedAt < Math.min(this.pollMs, 1000)) return false;
    this.leaderTriedAt = now;
    const client = await this.pool.connect();
    try {
      if (!(await tryDispatcherLock(client))) {
        client.release();
        return false;
      }
    } catch (error) {
      client.release(true);
      throw error;
    }
    client.on('error', (error) => {
      // The session, and with it the lock, is gone: stop claiming until it is taken again.
      this.logger.warn({ err: error }, 'the webhook dispatcher lost its lock session');
      if (this.leader !== client) return;
      this.leader = undefined;
      client.release(true);
      // The next dispatcher may take the queued deliveries as soon as it starts: none is sent from here any more.
      for (const queue of this.queues.values()) {
        this.held -= queue.deliveries.length;
        queue.deliveries.length = 0;
      }
    });
    this.leader = client;
    this.leaderTriedAt = 0;
    const cut = await takeOverWebhookDeliveries({ workerId: this.id }, this.sendContext);
    if (cut > 0) this.logger.info({ deliveries: cut }, 'took over the webhook deliveries of a previous dispatcher');
    return true;
  }

  private async resign(): Promise<void> {
    const client = this.leader;
    if (!client) return;
    this.leader = undefined;
    const broken = await releaseDispatcherLock(client).then(
      () => false,
      () => true,
    );
    client.release(broken);
  }

  private async claim(always = false): Promise<number> {
    try {
      if (!(await this.lead(always))) return 0;
      this.freed = 0;
      const { concurrency, prefetch } = this.base.settings;
      const claimed = await claimWebhookDeliveries(
        // Room for every endpoint with requests in flight to have its full queue.
        { limit: concurrency * prefetch - this.held, workerId: this.id },
        this.context('notifications-claim'),
      );
      this.held += claimed.length;
      for (const delivery of claimed) {
        const queue = this.queues.get(delivery.endpointId);
        if (queue) queue.deliveries.push(delivery);
        else
          this.queues.set(delivery.endpointId, {
            deliveries: [delivery],
            inFlight: 0,
            failing: delivery.endpointFailing,
          });
      }
      this.pump();
      return claimed.length;
    } catch (error) {
      this.logger.warn({ err: error }, 'claiming webhook deliveries failed; next round retries');
      return 0;
    } finally {
      this.claiming = undefined;
      if (this.claimAgain) {
        this.claimAgain = false;
        this.wake();
      }
    }
  }

  /** Starts what the limits allow, one delivery per endpoint in turn, so endpoints share the worker evenly. */
  private pump(): void {
    const { concurrency, perEndpoint } = this.base.settings;
    let started = true;
    while (started && this.inFlight < concurrency) {
      started = false;
      for (const [endpointId, queue] of this.queues) {
        if (this.inFlight >= concurrency) break;
        const next = queue.inFlight < (queue.failing ? 1 : perEndpoint) ? queue.deliveries.shift() : undefined;
        if (next) {
          this.send(next, queue);
          started = true;
        }
        if (queue.deliveries.length === 0 && queue.inFlight === 0) this.queues.delete(endpointId);
      }
    }
  }

  private send(delivery: DueDelivery, queue: EndpointQueue): void {
    const { timeoutMs } = this.base.settings;
    if (delivery.leaseUntil.getTime() - this.base.clock().getTime() < timeoutMs + leaseMarginMs) {
      // It waited in the queue too long: another worker may take it once the lease expires.
      this.giveBack([delivery]);
      return;
    }
    queue.inFlight += 1;
    this.inFlight += 1;
    const work = sendWebhookDelivery({ delivery }, this.sendContext)
      .then((sent) => {
        this.sent.push(sent);
        if (sent.outcome.ok) {
          queue.failing = false;
          return;
        }
        // The endpoint is failing: its queue goes back, and the claim probes it one request at a time.
        queue.failing = true;
        this.giveBack(queue.deliveries.splice(0));
      })
      .catch((error: unknown) => {
        this.logger.warn({ err: error, deliveryId: delivery.id }, 'sending a webhook delivery failed');
        this.giveBack([delivery]);
      })
      .finally(() => {
        queue.inFlight -= 1;
        this.inFlight -= 1;
        this.sending.delete(work);
        this.record();
        this.pump();
      });
    this.sending.add(work);
  }

  private giveBack(deliveries: DueDelivery[]): void {
    if (deliveries.length === 0) return;
    for (const delivery of deliveries) this.released.push(delivery.id);
    this.record();
  }

  /** Records what ended, in batches: one transaction at a time for everything that ended meanwhile. */
  private record(): void {
    if (this.recording) return;
    this.recording = this.recordLoop().finally(() => {
      this.recording = undefined;
      // Anything that ended during the last transaction is taken by the next one.
      if (this.sent.length + this.released.length > 0) this.record();
    });
  }

  private async recordLoop(): Promise<void> {
    while (this.sent.length + this.released.length > 0) {
      // A few milliseconds more make one statement of many attempts instead of many of a few: the receiver already
      // has the delivery, only the lease waits.
      if (!this.stopped && this.sent.length + this.released.length < gatherUpTo) await sleep(gatherMs);
      const attempts = this.sent.splice(0);
      const released = this.released.splice(0);
      for (let tries = 1; ; tries += 1) {
        try {
          await recordWebhookAttempts({ attempts, released, workerId: this.id }, this.context('notifications-record'));
          break;
        } catch (error) {
          if (tries >= recordTries) {
            this.logger.error(
              { err: error, deliveries: attempts.length, released: released.length },
              'recording webhook attempts failed; their leases expire and they are sent again',
            );
            break;
          }
          this.logger.warn({ err: error, tries }, 'recording webhook attempts failed; retrying');
          await sleep(100 * 2 ** tries);
        }
      }
      this.held -= attempts.length + released.length;
      this.freed += attempts.length + released.length;
      if (this.worthClaiming()) this.wake();
    }
  }

  /**
   * After a record: claim again once enough leases are free to make a claim worth its statement, or when an
   * endpoint (not one being probed) has less than a request's worth queued, so its sending would stop until the next
   * claim; otherwise the poll claims.
   */
  private worthClaiming(): boolean {
    const { perEndpoint, prefetch } = this.base.settings;
    if (this.freed >= Math.max(perEndpoint, prefetch / 4) || this.queues.size === 0) return true;
    for (const queue of this.queues.values()) if (!queue.failing && queue.deliveries.length < perEndpoint) return true;
    return false;
  }
}
