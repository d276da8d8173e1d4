import { randomUUID } from 'node:crypto';
import { createPool, withTransaction } from '@vanthu/platform';
import type { Pool } from '@vanthu/platform';
import { migrationsDir } from '../src/config';
import { cancelTimers, registerTimerHandler, runDueTimers, scheduleTimer, TimerWorker } from '../src/timers';
import type { TimerHandler } from '../src/timers';
import { serviceFixture } from '../../../test/support/service-fixture';
import type { ServiceFixture } from '../../../test/support/service-fixture';

let fx: ServiceFixture;
let second: Pool;
const agencyCode = '000.00.00.H99';
const t0 = new Date('2026-06-01T02:00:00Z');
const minutes = (n: number) => new Date(t0.getTime() + n * 60_000);

// The handler's side effect is a row written in the timer's own transaction, so the count of rows is
// what "fired exactly once" means to the rest of the service.
const recordFiring: TimerHandler = async (tx, timer, ctx) => {
  await tx.query('INSERT INTO fired_log (timer_id, fired_at, worker) VALUES ($1, $2, $3)', [
    timer.id,
    ctx.now,
    ctx.source,
  ]);
};

beforeAll(async () => {
  fx = await serviceFixture('routing_timers', migrationsDir);
  second = createPool(fx.db.url);
  await fx.pool.query('CREATE TABLE fired_log (timer_id uuid NOT NULL, fired_at timestamptz NOT NULL, worker text)');
});
afterAll(async () => {
  await second.end();
  await fx.close();
});
beforeEach(async () => {
  await fx.pool.query("DELETE FROM fired_log; UPDATE timers SET state = 'cancelled' WHERE state = 'pending'");
});

async function schedule(
  count: number,
  fireAt: (i: number) => Date,
  kind: 'due' | 'reminder' = 'due',
): Promise<string[]> {
  return withTransaction(fx.pool, async (tx) => {
    const ids: string[] = [];
    for (let i = 0; i < count; i += 1) {
      const timer = await scheduleTimer(tx, {
        agencyCode,
        taskId: randomUUID(),
        processId: randomUUID(),
        kind,
        fireAt: fireAt(i),
        payload: { i },
      });
      ids.push(timer.id);
    }
    return ids;
  });
}
const firings = async () =>
  (
    await fx.pool.query<{ timer_id: string; n: string | number }>(
      'SELECT timer_id, count(*) AS n FROM fired_log GROUP BY 1',
    )
  ).rows;

describe('timers in PostgreSQL (FOR UPDATE SKIP LOCKED)', () => {
  it('two workers on separate pools fire each of 600 due timers exactly once, and nothing not yet due', async () => {
    const unregister = registerTimerHandler('due', recordFiring);
    try {
      const due = await schedule(600, (i) => minutes(-i % 50));
      await schedule(20, (i) => minutes(10 + i));
      const [a, b] = await Promise.all([
        runDueTimers(t0, { pool: fx.pool, logger: fx.logger, batchSize: 25, source: 'a' }),
        runDueTimers(t0, { pool: second, logger: fx.logger, batchSize: 25, source: 'b' }),
      ]);
      expect(a.fired + b.fired).toBe(600);
      expect(a.fired).toBeGreaterThan(0);
      expect(b.fired).toBeGreaterThan(0);
      const rows = await firings();
      expect(rows).toHaveLength(600);
      expect(rows.every((r) => Number(r.n) === 1)).toBe(true);
      expect(new Set(rows.map((r) => r.timer_id))).toEqual(new Set(due));
      const states = await fx.pool.query(
        "SELECT state, count(*)::int AS n FROM timers WHERE state <> 'cancelled' GROUP BY 1",
      );
      expect(Object.fromEntries(states.rows.map((r) => [r.state, r.n]))).toEqual({ fired: 600, pending: 20 });
      // the clock moves on: the later ones fire then, once
      await runDueTimers(minutes(40), { pool: second, logger: fx.logger });
      expect(await firings()).toHaveLength(620);
    } finally {
      unregister();
    }
  });

  it('survives a restart: a worker that dies holding timers loses nothing, and a new pool fires them once', async () => {
    const unregister = registerTimerHandler('due', recordFiring);
    try {
      const ids = await schedule(30, () => minutes(-1));
      // a worker claims the rows and dies before committing (connection killed)
      const dying = await second.connect();
      await dying.query('BEGIN');
      const held = await dying.query("SELECT id FROM timers WHERE state = 'pending' FOR UPDATE SKIP LOCKED");
      expect(held.rowCount).toBe(30);
      // while it holds them, another worker skips them rather than waiting or firing twice
      expect((await runDueTimers(t0, { pool: fx.pool, logger: fx.logger })).fired).toBe(0);
      dying.release(new Error('simulated crash'));
      // the "restarted" service: a brand-new pool
      const restarted = createPool(fx.db.url);
      try {
        const result = await runDueTimers(t0, { pool: restarted, logger: fx.logger });
        expect(result.fired).toBe(30);
      } finally {
        await restarted.end();
      }
      const rows = await firings();
      expect(rows.map((r) => r.timer_id).sort()).toEqual([...ids].sort());
      expect(rows.every((r) => Number(r.n) === 1)).toBe(true);
    } finally {
      unregister();
    }
  });

  it('a failing handler undoes only its own writes, is retried later, and is given up after its attempts', async () => {
    let calls = 0;
    const unregister = registerTimerHandler('reminder', async (tx, timer, ctx) => {
      calls += 1;
      await recordFiring(tx, timer, ctx);
      if ((timer.payload as { i: number }).i === 0) throw new Error('reminder could not be sent');
    });
    try {
      await schedule(3, () => minutes(-1), 'reminder');
      const first = await runDueTimers(t0, { pool: fx.pool, logger: fx.logger, maxAttempts: 2 });
      expect(first).toEqual({ fired: 2, failed: 1 });
      expect(await firings()).toHaveLength(2); // the failed one's insert was rolled back
      const failing = await fx.pool.query("SELECT * FROM timers WHERE kind = 'reminder' AND state = 'pending'");
      expect(failing.rows[0]).toMatchObject({ attempts: 1, last_error: 'reminder could not be sent' });
      expect(new Date(failing.rows[0].fire_at).getTime()).toBe(t0.getTime() + 10_000); // backs off
      expect((await runDueTimers(t0, { pool: fx.pool, logger: fx.logger, maxAttempts: 2 })).fired).toBe(0);
      const later = await runDueTimers(minutes(1), { pool: fx.pool, logger: fx.logger, maxAttempts: 2 });
      expect(later).toEqual({ fired: 0, failed: 1 });
      const given = await fx.pool.query(
        "SELECT state, attempts FROM timers WHERE kind = 'reminder' AND state = 'failed'",
      );
      expect(given.rows).toEqual([{ state: 'failed', attempts: 2 }]);
      // after a failure the batch is rolled back and rerun with a savepoint per timer: handlers may run more than
      // once, but only the committed run's writes exist (2 rows above, never 3)
      expect(calls).toBeGreaterThanOrEqual(4);
      expect(await firings()).toHaveLength(2);
    } finally {
      unregister();
    }
  });

  it('cancelled timers never fire; a timer with no handler waits and fires once one is registered', async () => {
    const [taskId, processId] = [randomUUID(), randomUUID()];
    await withTransaction(fx.pool, async (tx) => {
      await scheduleTimer(tx, { agencyCode, taskId, processId, kind: 'due', fireAt: minutes(-5) });
      await scheduleTimer(tx, { agencyCode, taskId, processId, kind: 'escalation', fireAt: minutes(-5) });
      expect(await cancelTimers(tx, { taskId, kinds: ['due'] })).toBe(1);
    });
    const orphan = await runDueTimers(t0, { pool: fx.pool, logger: fx.logger });
    expect(orphan).toEqual({ fired: 0, failed: 1 });
    const unregister = registerTimerHandler('escalation', recordFiring);
    try {
      expect((await runDueTimers(minutes(1), { pool: fx.pool, logger: fx.logger })).fired).toBe(1);
      await withTransaction(fx.pool, async (tx) => expect(await cancelTimers(tx, { taskId })).toBe(0));
      expect(await firings()).toHaveLength(1);
    } finally {
      unregister();
    }
  });

  it('the worker started by the service fires on its injected clock without sleeping past it', async () => {
    const unregister = registerTimerHandler('due', recordFiring);
    let now = minutes(-100);
    const worker = new TimerWorker({ pool: fx.pool, logger: fx.logger, clock: () => now, pollIntervalMs: 20 });
    try {
      await schedule(5, () => minutes(0));
      worker.start();
      await new Promise((r) => setTimeout(r, 150));
      expect(await firings()).toHaveLength(0);
      now = minutes(1);
      for (let i = 0; i < 100 && (await firings()).length < 5; i += 1) await new Promise((r) => setTimeout(r, 20));
      expect(await firings()).toHaveLength(5);
    } finally {
      await worker.stop();
      unregister();
    }
  });
});
