import { withTransaction } from '@vanthu/platform';
import type { Logger, Pool } from '@vanthu/platform';
import type { ExchangeContext } from './context';
import type { TsaClient } from './clients/tsa-client';
import { anchorExchangeLog } from './domain/exchanges/anchor-exchange-log';
import { receiveFromHub } from './domain/exchanges/receive-from-hub';
import { runHubJobs } from './domain/exchanges/run-hub-jobs';
import { sweepOrphanMessages } from './domain/exchanges/sweep-orphan-messages';

export type WorkerContext = Omit<ExchangeContext, 'runInTransaction' | 'requestId'>;

/** A plain transaction per unit of work (workers have no Idempotency-Key). */
export const workerContext = (base: WorkerContext, pool: Pool, requestId: string): ExchangeContext => ({
  ...base,
  requestId,
  runInTransaction: async (work) => ({ result: await withTransaction(pool, work), replayed: false }),
});

/**
 * Runs the hub queue every `intervalMs` and polls each agency's hub account every
 * `receiveIntervalMs` (the LGSP practice is every 5 minutes per tenant); errors are logged and
 * the next round tries again.
 */
export class ExchangeWorker {
  private timers: NodeJS.Timeout[] = [];
  private busy = false;
  private receiving = false;
  private sweeping = false;

  constructor(
    private readonly base: WorkerContext,
    private readonly pool: Pool,
    private readonly logger: Logger,
    private readonly agencies: string[],
    private readonly intervals: {
      jobsMs: number;
      receiveMs: number;
      anchorMs: number;
      sweepMs?: number;
      sweepGraceMs?: number;
    },
    private readonly tsa?: TsaClient,
  ) {}

  start(): void {
    this.timers.push(setInterval(() => void this.runJobs(), this.intervals.jobsMs));
    this.timers.push(setInterval(() => void this.receive(), this.intervals.receiveMs));
    if (this.tsa?.configured) this.timers.push(setInterval(() => void this.anchor(), this.intervals.anchorMs));
    if (this.intervals.sweepMs) this.timers.push(setInterval(() => void this.sweep(), this.intervals.sweepMs));
  }

  /** Collects message files no row references (sweep-orphan-messages.ts); a failure is logged, the next round retries. */
  async sweep(): Promise<void> {
    if (this.sweeping) return;
    this.sweeping = true;
    try {
      await sweepOrphanMessages(
        { graceMs: this.intervals.sweepGraceMs ?? 60 * 60_000, now: this.base.clock() },
        { pool: this.pool, messages: this.base.messages, logger: this.logger },
      );
    } catch (error) {
      this.logger.warn({ err: error }, 'sweeping orphan message files failed; the next round retries');
    } finally {
      this.sweeping = false;
    }
  }

  /** Time-stamps the log head; a TSA outage is logged and the next round (at most an interval later) retries. */
  async anchor(): Promise<void> {
    if (!this.tsa) return;
    try {
      await anchorExchangeLog({}, { pool: this.pool, tsa: this.tsa, clock: this.base.clock });
    } catch (error) {
      this.logger.warn({ err: error }, 'time-stamping the exchange log head failed; the next round retries');
    }
  }

  async stop(): Promise<void> {
    for (const timer of this.timers) clearInterval(timer);
  }

  async runJobs(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      await runHubJobs({}, workerContext(this.base, this.pool, 'exchange-worker'));
    } catch (error) {
      this.logger.warn({ err: error }, 'hub queue round failed; next round retries');
    } finally {
      this.busy = false;
    }
  }

  async receive(): Promise<void> {
    if (this.receiving) return;
    this.receiving = true;
    try {
      for (const agencyCode of this.agencies) {
        try {
          await receiveFromHub({ agencyCode }, workerContext(this.base, this.pool, `exchange-receive-${agencyCode}`));
        } catch (error) {
          this.logger.warn({ err: error, agencyCode }, 'receiving from the hub failed; next round retries');
        }
      }
    } finally {
      this.receiving = false;
    }
  }
}
