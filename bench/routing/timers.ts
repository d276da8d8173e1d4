// Timer worker benchmark (issue 12): 10,000 due timers, two workers (each with its own PostgreSQL pool, as two
// service instances would have), every timer fired exactly once, against a bare `UPDATE … FOR UPDATE SKIP LOCKED`
// loop over the same rows in the same run. Usage (infrastructure up):
//   npx tsx bench/routing/timers.ts [--timers 10000] [--batch 200]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { createLogger, createPool, runMigrations } from '@vanthu/platform';
import type { Pool } from '@vanthu/platform';
import { migrationsDir } from '../../services/routing/src/config';
import { registerDeadlineHandlers, TimerWorker } from '../../services/routing/src/timers';
import { createTestDatabase } from '../../test/support/databases';
import { runBenchmark, writeResultsSection } from '../support/results-section';

const args = process.argv.slice(2);
const option = (name: string, fallback: number): number => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) || fallback : fallback;
};
const timerCount = option('--timers', 10_000);
const batchSize = option('--batch', 200);
const agencyCode = '000.00.00.H99';
const logger = createLogger('bench-routing-timers', 'silent');

async function seed(pool: Pool, now: Date): Promise<void> {
  await pool.query('TRUNCATE timers; TRUNCATE outbox');
  // Due over the last hour, each with the payload a task deadline carries (its handler publishes task.overdue.v1).
  await pool.query(
    `INSERT INTO timers (id, agency_code, task_id, process_id, kind, fire_at, payload, created_at)
     SELECT gen_random_uuid(), $1, gen_random_uuid(), gen_random_uuid(), 'due', $2::timestamptz - (i % 3600) * interval '1 second',
       jsonb_build_object('step', 'lead', 'documentId', gen_random_uuid(), 'dueAt', $2::timestamptz, 'escalateTo',
         jsonb_build_object('userId', 'truong-phong')), $2::timestamptz - interval '2 hours'
     FROM generate_series(1, $3) AS i`,
    [agencyCode, now, timerCount],
  );
  await pool.query('VACUUM ANALYZE timers');
}

async function bareLoop(pools: Pool[], now: Date): Promise<number> {
  const started = performance.now();
  await Promise.all(
    pools.map(async (pool) => {
      for (;;) {
        const { rowCount } = await pool.query(
          `UPDATE timers SET state = 'fired', fired_at = $1, attempts = attempts + 1 WHERE id IN (
             SELECT id FROM timers WHERE state = 'pending' AND fire_at <= $1 ORDER BY fire_at LIMIT $2 FOR UPDATE SKIP LOCKED)`,
          [now, batchSize],
        );
        if (!rowCount) return;
      }
    }),
  );
  return (performance.now() - started) / 1000;
}

async function workers(pools: Pool[], now: Date): Promise<{ seconds: number; firedBy: number[] }> {
  const started = performance.now();
  const firedBy = pools.map(() => 0);
  await Promise.all(
    pools.map(async (pool, i) => {
      const worker = new TimerWorker({ pool, logger, clock: () => now, batchSize, topicPrefix: 'bench.' });
      for (;;) {
        const { fired } = await worker.runDueTimers(now);
        firedBy[i]! += fired;
        if (fired === 0) return;
      }
    }),
  );
  return { seconds: (performance.now() - started) / 1000, firedBy };
}

async function main(): Promise<void> {
  const db = await createTestDatabase('bench_timers');
  try {
    await runMigrations(db.url, migrationsDir, logger);
    const pools = [createPool(db.url), createPool(db.url)];
    const now = new Date();
    registerDeadlineHandlers();

    await seed(pools[0]!, now);
    const bareSeconds = await bareLoop(pools, now);
    const bareFired = Number(
      (await pools[0]!.query("SELECT count(*) AS n FROM timers WHERE state = 'fired'")).rows[0].n,
    );

    await seed(pools[0]!, now);
    const run = await workers(pools, now);
    const check = (
      await pools[0]!.query<{ fired: string; pending: string; events: string; tasks: string; dup: string }>(
        `SELECT (SELECT count(*) FROM timers WHERE state = 'fired') AS fired,
                (SELECT count(*) FROM timers WHERE state <> 'fired') AS pending,
                (SELECT count(*) FROM outbox WHERE event_type = 'vn.vanthu.task.overdue.v1') AS events,
                (SELECT count(DISTINCT message_key) FROM outbox) AS tasks,
                (SELECT count(*) FROM (SELECT message_key FROM outbox GROUP BY 1 HAVING count(*) > 1) d) AS dup`,
      )
    ).rows[0]!;
    for (const pool of pools) await pool.end();

    const results = {
      date: new Date().toISOString(),
      loadAverage: os.loadavg()[0],
      runId: randomUUID(),
      timers: timerCount,
      batchSize,
      workers: 2,
      bare: { seconds: bareSeconds, fired: bareFired, perSecond: bareFired / bareSeconds },
      timerWorker: {
        seconds: run.seconds,
        firedByWorker: run.firedBy,
        perSecond: timerCount / run.seconds,
        firedRows: Number(check.fired),
        notFired: Number(check.pending),
        overdueEvents: Number(check.events),
        distinctTasks: Number(check.tasks),
        tasksWithMoreThanOneEvent: Number(check.dup),
      },
      ratioToBare: bareSeconds / run.seconds,
      goalMet:
        run.seconds <= 10 &&
        Number(check.fired) === timerCount &&
        Number(check.dup) === 0 &&
        Number(check.events) === timerCount,
    };
    fs.writeFileSync(path.join(__dirname, 'timers-results.json'), `${JSON.stringify(results, null, 2)}\n`);
    const section = [
      '<!-- timers:start -->',
      '## Timer worker',
      '',
      `Run ${results.date} (\`npx tsx bench/routing/timers.ts\`, ${timerCount} due timers, batches of ${batchSize}, two workers`,
      `each with its own PostgreSQL pool in one Node process, on the shared ${os.cpus().length}-core development machine,`,
      `load average ${os.loadavg()[0]!.toFixed(1)} as it finished: other work was running, so read the ratio, not the absolute rates).`,
      '',
      '| | seconds | timers/s |',
      '| --- | ---: | ---: |',
      `| bare \`UPDATE … FOR UPDATE SKIP LOCKED\` loop (baseline) | ${bareSeconds.toFixed(2)} | ${results.bare.perSecond.toFixed(0)} |`,
      `| timer workers (each timer publishes \`task.overdue.v1\` through the outbox in the transaction marking it fired) | ${run.seconds.toFixed(2)} | ${results.timerWorker.perSecond.toFixed(0)} |`,
      '',
      `- Fired ${check.fired} of ${timerCount} (worker A ${run.firedBy[0]}, worker B ${run.firedBy[1]}); ${check.events} \`task.overdue.v1\``,
      `  outbox rows for ${check.tasks} distinct tasks; tasks with more than one event: ${check.dup}.`,
      `- Throughput relative to the bare loop: ${(results.ratioToBare * 100).toFixed(0)} %.`,
      `- Goal (all ${timerCount} within 10 s, each exactly once): ${results.goalMet ? 'met' : 'NOT met'}.`,
      '<!-- timers:end -->',
      '',
    ].join('\n');
    writeResultsSection(path.join(__dirname, 'results.md'), 'timers', section, '# Routing benchmarks');
    process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
  } finally {
    await db.drop();
  }
}

runBenchmark(main);
