import { randomUUID } from 'node:crypto';
import { AppError, systemClock, withTransaction } from '@vanthu/platform';
import type { Clock, Logger, Pool, Tx } from '@vanthu/platform';
import {
  beginTimerSavepoint,
  cancelPendingTimers,
  claimDueTimers,
  insertTimer,
  markTimerFailed,
  markTimerFired,
  releaseTimerSavepoint,
  rollbackTimerSavepoint,
} from '../repositories/timers-repository';
import type { Timer, TimerKind } from '../repositories/timers-repository';

export type { Timer, TimerKind } from '../repositories/timers-repository';

/** What a timer handler gets besides its transaction and its timer. */
export type TimerContext = {
  /** The instant the worker fires the timer at (the injected clock's, or the one given to runDueTimers). */
  now: Date;
  clock: Clock;
  logger: Logger;
  /** For events the handler enqueues through the outbox. */
  topicPrefix: string;
  source: string;
};

export type TimerHandler = (tx: Tx, timer: Timer, ctx: TimerContext) => Promise<void>;

const handlers = new Map<TimerKind, TimerHandler>();

/** One handler per kind; registering again replaces it. Returns a function that removes it. */
export function registerTimerHandler(kind: TimerKind, handler: TimerHandler): () => void {
  handlers.set(kind, handler);
  return () => {
    if (handlers.get(kind) === handler) handlers.delete(kind);
  };
}

export type ScheduleTimerInput = {
  agencyCode: string;
  taskId: string;
  processId: string;
  kind: TimerKind;
  fireAt: Date;
  payload?: Record<string, unknown>;
};

/** Schedules a timer in the caller's transaction: it exists only if the caller's change commits. */
export async function scheduleTimer(tx: Tx, input: ScheduleTimerInput, clock: Clock = systemClock): Promise<Timer> {
  if (Number.isNaN(input.fireAt.getTime()))
    throw new AppError('VALIDATION_FAILED', 'timer fireAt is not a valid instant');
  return insertTimer(tx, {
    id: randomUUID(),
    agencyCode: input.agencyCode,
    taskId: input.taskId,
    processId: input.processId,
    kind: input.kind,
    fireAt: input.fireAt,
    payload: input.payload ?? {},
    createdAt: clock(),
  });
}

/** Cancels a task's pending timers (all, or only some kinds); returns how many were cancelled. */
export async function cancelTimers(tx: Tx, input: { taskId: string; kinds?: TimerKind[] }): Promise<number> {
  return cancelPendingTimers(tx, input);
}

export type RunDueTimersOptions = {
  pool: Pool;
  logger: Logger;
  clock?: Clock;
  topicPrefix?: string;
  source?: string;
  batchSize?: number;
  maxAttempts?: number;
};

export type RunDueTimersResult = { fired: number; failed: number };

const retryDelayMs = (attempt: number): number => Math.min(15 * 60_000, 10_000 * 2 ** (attempt - 1));

/** Claims one batch of timers due at `now`, fires each in a savepoint, and commits. */
async function runBatch(
  options: RunDueTimersOptions,
  now: Date,
  limit: number,
): Promise<RunDueTimersResult & { claimed: number }> {
  const maxAttempts = options.maxAttempts ?? 5;
  const ctx: TimerContext = {
    now,
    clock: options.clock ?? systemClock,
    logger: options.logger,
    topicPrefix: options.topicPrefix ?? '',
    source: options.source ?? '/vanthu/routing',
  };
  return withTransaction(options.pool, async (tx) => {
    const due = await claimDueTimers(tx, now, limit);
    let fired = 0;
    let failed = 0;
    for (const timer of due) {
      const handler = handlers.get(timer.kind);
      await beginTimerSavepoint(tx);
      try {
        if (!handler) throw new Error(`no handler registered for timer kind ${timer.kind}`);
        await handler(tx, timer, ctx);
        await markTimerFired(tx, timer.id, now);
        await releaseTimerSavepoint(tx);
        fired += 1;
      } catch (error) {
        await rollbackTimerSavepoint(tx);
        const attempt = timer.attempts + 1;
        const retryAt = attempt >= maxAttempts ? null : new Date(now.getTime() + retryDelayMs(attempt));
        await markTimerFailed(tx, timer.id, { error: String((error as Error)?.message ?? error), retryAt });
        options.logger.warn({ err: error, timerId: timer.id, kind: timer.kind, attempt }, 'timer handler failed');
        failed += 1;
      }
    }
    return { fired, failed, claimed: due.length };
  });
}

/**
 * Fires every timer due at `now` (tests pass the instant; the worker passes its clock's). Several
 * callers at once never fire one timer twice: each batch holds its rows with FOR UPDATE SKIP LOCKED and
 * marks them fired in the transaction the handler wrote in.
 */
export async function runDueTimers(now: Date, options: RunDueTimersOptions): Promise<RunDueTimersResult> {
  const batchSize = options.batchSize ?? 200;
  const total = { fired: 0, failed: 0 };
  for (;;) {
    const batch = await runBatch(options, now, batchSize);
    total.fired += batch.fired;
    total.failed += batch.failed;
    if (batch.claimed < batchSize) return total;
  }
}

export type TimerWorkerOptions = RunDueTimersOptions & { pollIntervalMs?: number };

/** Polls for due timers until stopped; one per service instance, any number of instances. */
export class TimerWorker {
  private handle: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = true;

  constructor(private readonly options: TimerWorkerOptions) {}

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.handle) clearTimeout(this.handle);
    await this.running;
  }

  /** Fires what is due at `now` (default: the worker's clock). */
  async runDueTimers(now: Date = (this.options.clock ?? systemClock)()): Promise<RunDueTimersResult> {
    return runDueTimers(now, this.options);
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.handle = setTimeout(() => {
      this.running = this.runDueTimers()
        .then(() => undefined)
        .catch((error: unknown) => this.options.logger.warn({ err: error }, 'timer worker round failed'))
        .finally(() => this.schedule(this.options.pollIntervalMs ?? 1_000));
    }, delayMs);
    this.handle.unref();
  }
}
