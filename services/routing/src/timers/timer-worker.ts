import { randomUUID } from 'node:crypto';
import { AppError, systemClock, withTransaction } from '@vanthu/platform';
import type { Clock, Logger, Pool, Tx } from '@vanthu/platform';
import {
  beginTimerSavepoint,
  cancelPendingConsultationTimers,
  cancelPendingTimers,
  claimDueTimers,
  insertTimer,
  insertTimers,
  markTimerFailed,
  markTimersFired,
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
/** Handles several due timers of one kind at once (e.g. one multi-row outbox insert for all of them). */
export type TimerBatchHandler = (tx: Tx, timers: Timer[], ctx: TimerContext) => Promise<void>;

const handlers = new Map<TimerKind, TimerBatchHandler>();

/** One handler per kind; registering again replaces it. Returns a function that removes it. */
export function registerTimerBatchHandler(kind: TimerKind, handler: TimerBatchHandler): () => void {
  handlers.set(kind, handler);
  return () => {
    if (handlers.get(kind) === handler) handlers.delete(kind);
  };
}

/** One handler per kind, called once per timer; registering again replaces it. Returns a function that removes it. */
export function registerTimerHandler(kind: TimerKind, handler: TimerHandler): () => void {
  return registerTimerBatchHandler(kind, async (tx, timers, ctx) => {
    for (const timer of timers) await handler(tx, timer, ctx);
  });
}

function handlerFor(kind: TimerKind): TimerBatchHandler {
  const handler = handlers.get(kind);
  if (!handler) throw new Error(`no handler registered for timer kind ${kind}`);
  return handler;
}

export type ScheduleTimerInput = {
  agencyCode: string;
  taskId: string;
  processId: string;
  kind: TimerKind;
  fireAt: Date;
  payload?: Record<string, unknown>;
};

/** The row of a timer to schedule, refused when its instant is not one. */
function newTimer(input: ScheduleTimerInput, createdAt: Date) {
  if (Number.isNaN(input.fireAt.getTime()))
    throw new AppError('VALIDATION_FAILED', 'timer fireAt is not a valid instant');
  return {
    id: randomUUID(),
    agencyCode: input.agencyCode,
    taskId: input.taskId,
    processId: input.processId,
    kind: input.kind,
    fireAt: input.fireAt,
    payload: input.payload ?? {},
    createdAt,
  };
}

/** Schedules a timer in the caller's transaction: it exists only if the caller's change commits. */
export async function scheduleTimer(tx: Tx, input: ScheduleTimerInput, clock: Clock = systemClock): Promise<Timer> {
  return insertTimer(tx, newTimer(input, clock()));
}

/** Schedules several timers with one statement, in the caller's transaction. */
export async function scheduleTimers(tx: Tx, inputs: ScheduleTimerInput[], clock: Clock = systemClock): Promise<void> {
  const createdAt = clock();
  await insertTimers(
    tx,
    inputs.map((input) => newTimer(input, createdAt)),
  );
}

export type ScheduleConsultationTimerInput = {
  agencyCode: string;
  consultationId: string;
  kind: Extract<TimerKind, `consultation-${string}`>;
  fireAt: Date;
  payload?: Record<string, unknown>;
};

/** Schedules a consultation's timer in the caller's transaction (a consultation need not belong to a process). */
export async function scheduleConsultationTimer(
  tx: Tx,
  input: ScheduleConsultationTimerInput,
  clock: Clock = systemClock,
): Promise<Timer> {
  if (Number.isNaN(input.fireAt.getTime()))
    throw new AppError('VALIDATION_FAILED', 'timer fireAt is not a valid instant');
  return insertTimer(tx, {
    id: randomUUID(),
    agencyCode: input.agencyCode,
    taskId: null,
    processId: null,
    consultationId: input.consultationId,
    kind: input.kind,
    fireAt: input.fireAt,
    payload: input.payload ?? {},
    createdAt: clock(),
  });
}

/** Cancels a consultation's pending timers (it closed before its deadline); returns how many were cancelled. */
export async function cancelConsultationTimers(tx: Tx, input: { consultationId: string }): Promise<number> {
  return cancelPendingConsultationTimers(tx, input.consultationId);
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
  /** Batches claimed at once by this caller (each on its own connection); SKIP LOCKED keeps them apart. */
  concurrency?: number;
  /**
   * Runs a batch's handlers with the history and outbox rows they write held back and written with one multi-row
   * statement at the end (the engine's write buffer, domain/write-buffer.ts, which keeps each process's hash chain
   * across the batch's rows); without it each handler writes its rows as it goes.
   */
  bufferWrites?: <T>(tx: Tx, work: (tx: Tx) => Promise<T>) => Promise<T>;
};

export type RunDueTimersResult = { fired: number; failed: number };

const retryDelayMs = (attempt: number): number => Math.min(15 * 60_000, 10_000 * 2 ** (attempt - 1));

class HandlerFailed extends Error {}

type BatchOutcome = RunDueTimersResult & { claimed: number };

/**
 * Claims one batch of due timers and fires them in one transaction. The common case runs every handler
 * straight through and marks the batch fired with one statement; if any handler fails, the whole attempt
 * is rolled back and the batch is run again with a savepoint per timer, so only the failing timer's
 * writes are undone and it alone is retried later. Handlers therefore write only through `tx`.
 */
async function runBatch(options: RunDueTimersOptions, now: Date, limit: number): Promise<BatchOutcome> {
  const maxAttempts = options.maxAttempts ?? 5;
  const buffered = options.bufferWrites ?? (<T>(tx: Tx, work: (tx: Tx) => Promise<T>) => work(tx));
  const ctx: TimerContext = {
    now,
    clock: options.clock ?? systemClock,
    logger: options.logger,
    topicPrefix: options.topicPrefix ?? '',
    source: options.source ?? '/vanthu/routing',
  };
  try {
    return await withTransaction(options.pool, async (tx) => {
      const due = await claimDueTimers(tx, now, limit);
      const byKind = new Map<TimerKind, Timer[]>();
      for (const timer of due) byKind.set(timer.kind, [...(byKind.get(timer.kind) ?? []), timer]);
      // Every handler's history and outbox rows go out together when the batch's handlers are done.
      await buffered(tx, async (tx) => {
        for (const [kind, timers] of byKind) {
          try {
            await handlerFor(kind)(tx, timers, ctx);
          } catch (error) {
            throw new HandlerFailed(String((error as Error)?.message ?? error), { cause: error });
          }
        }
      });
      await markTimersFired(
        tx,
        due.map((t) => t.id),
        now,
      );
      return { fired: due.length, failed: 0, claimed: due.length };
    });
  } catch (error) {
    if (!(error instanceof HandlerFailed)) throw error;
  }
  return withTransaction(options.pool, async (tx) => {
    const due = await claimDueTimers(tx, now, limit);
    const fired: string[] = [];
    let failed = 0;
    for (const timer of due) {
      await beginTimerSavepoint(tx);
      try {
        // Buffered per timer here: a failing timer's held-back rows are dropped with its savepoint's writes.
        await buffered(tx, (tx) => handlerFor(timer.kind)(tx, [timer], ctx));
        await releaseTimerSavepoint(tx);
        fired.push(timer.id);
      } catch (error) {
        await rollbackTimerSavepoint(tx);
        const attempt = timer.attempts + 1;
        const retryAt = attempt >= maxAttempts ? null : new Date(now.getTime() + retryDelayMs(attempt));
        await markTimerFailed(tx, timer.id, { error: String((error as Error)?.message ?? error), retryAt });
        options.logger.warn({ err: error, timerId: timer.id, kind: timer.kind, attempt }, 'timer handler failed');
        failed += 1;
      }
    }
    await markTimersFired(tx, fired, now);
    return { fired: fired.length, failed, claimed: due.length };
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
  const lane = async (): Promise<void> => {
    for (;;) {
      const batch = await runBatch(options, now, batchSize);
      total.fired += batch.fired;
      total.failed += batch.failed;
      if (batch.claimed < batchSize) return;
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, options.concurrency ?? 2) }, lane));
  return total;
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
