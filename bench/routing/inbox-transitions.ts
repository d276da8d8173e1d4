// Inbox and transition benchmark (issue 12), on a fresh database migrated from nothing, every figure a ratio against a
// baseline measured in the same run on the same table:
//   - the inbox of one person (`listTasks`: the page and the counts per state, as GET /v1/tasks runs them) p95,
//     against a bare indexed SELECT of the same person's open tasks;
//   - transitions per second (`completeTask`: lock, complete the step, assign the next one with its deadline timers,
//     history row and outbox events), against bare INSERTs of exactly the rows those transitions wrote.
// Usage (infrastructure up):
//   npx tsx bench/routing/inbox-transitions.ts [--tasks 100000] [--agencies 50] [--queries 500] [--transitions 1000]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { createLogger, createPool, runMigrations, withTransaction } from '@vanthu/platform';
import type { Identity, Pool, Tx } from '@vanthu/platform';
import { DocumentsClient } from '../../services/routing/src/clients/documents-client';
import { migrationsDir } from '../../services/routing/src/config';
import { parseDefinition } from '../../services/routing/src/definitions/parse-definition';
import { completeTask } from '../../services/routing/src/domain/complete-task';
import { listTasks } from '../../services/routing/src/domain/list-tasks';
import { listInboxWithCounts } from '../../services/routing/src/repositories/tasks-repository';
import { statementReader } from '../../services/routing/src/routes/context';
import { withWriteBuffer } from '../../services/routing/src/domain/write-buffer';
import type { RoutingContext } from '../../services/routing/src/domain/routing-context';
import { moduleTimers } from '../../services/routing/src/module-timers';
import { createTestDatabase } from '../../test/support/databases';
import { runBenchmark, writeResultsSection } from '../support/results-section';

const args = process.argv.slice(2);
const option = (name: string, fallback: number): number => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) || fallback : fallback;
};
const taskCount = option('--tasks', 100_000);
const agencyCount = option('--agencies', 50);
const queryCount = option('--queries', 500);
const transitionCount = option('--transitions', 1000);
const roundCount = option('--rounds', 5);
const warmUpCount = option('--warm-up', 100);
const usersPerAgency = 40;
const logger = createLogger('bench-routing-inbox', 'silent');
const now = new Date('2026-06-01T02:00:00Z');
const agency = (a: number) => `000.00.${String(a).padStart(2, '0')}.H${String(a % 100).padStart(2, '0')}`;
const user = (u: number) => `chuyen-vien-${u}`;

// A two-step chain: the specialist's review, then the unit leader's approval (the person named in a variable).
const definition = parseDefinition({
  kind: 'submission',
  name: 'Bench: xem xét rồi phê duyệt',
  elements: [
    { id: 'start', type: 'startEvent' },
    {
      id: 'review',
      type: 'userTask',
      name: 'Chuyên viên xem xét',
      assignee: { role: 'specialist', user: 'starter' },
      actions: ['complete'],
      dueIn: { workingDays: 2 },
    },
    {
      id: 'approve',
      type: 'userTask',
      name: 'Lãnh đạo phòng phê duyệt',
      assignee: { role: 'unit-leader', user: 'variable:approver' },
      actions: ['complete'],
      dueIn: { workingDays: 2 },
      boundaryEvents: [{ type: 'timer', kind: 'reminder', offset: { workingHours: 4 }, interrupting: false }],
    },
    { id: 'end', type: 'endEvent' },
  ],
  flows: [
    { from: 'start', to: 'review' },
    { from: 'review', to: 'approve' },
    { from: 'approve', to: 'end' },
  ],
});

async function seed(pool: Pool): Promise<void> {
  await withTransaction(pool, async (tx) => {
    for (let a = 0; a < agencyCount; a += 1) {
      const definitionId = randomUUID();
      await tx.query(
        `INSERT INTO process_definitions (id, agency_code, kind, version, definition, created_by)
         VALUES ($1, $2, 'submission', 1, $3, 'bench')`,
        [definitionId, agency(a), JSON.stringify(definition)],
      );
    }
    // Every person holds an activated certificate, so that the gating of docs/domain/directives.md, Đà Nẵng §1b lets
    // tasks be assigned to them.
    await tx.query(
      `INSERT INTO certificate_projection (certificate_id, agency_code, user_id, state, not_after, updated_at, last_event_id)
       SELECT gen_random_uuid(), d.agency_code, 'chuyen-vien-' || u, 'active', $1::timestamptz + interval '3 years', $1, 'bench'
         FROM process_definitions d, generate_series(0, $2 - 1) AS u`,
      [now, usersPerAgency],
    );
    // One process per task; task i belongs to agency i % agencies and person (i / agencies) % users.
    await tx.query(
      `INSERT INTO processes (id, agency_code, kind, definition_id, definition_version, document_id, state, urgency, variables,
          document_version, content_version, started_by, started_unit, started_at, due_at)
       SELECT gen_random_uuid(), d.agency_code, 'submission', d.id, 1, gen_random_uuid(), 'active', 'normal',
              jsonb_build_object('approver', 'chuyen-vien-' || ((s.i / $1 + 1) % $2), 'bench', s.i),
              1, 1, 'chuyen-vien-' || ((s.i / $1) % $2), 'kgvx', $3::timestamptz - (s.i % 3000) * interval '1 minute', NULL
         FROM generate_series(0, $4::int - 1) AS s(i)
         JOIN (SELECT id, agency_code, row_number() OVER (ORDER BY agency_code) - 1 AS n FROM process_definitions) d
           ON d.n = s.i % $1`,
      [agencyCount, usersPerAgency, now, taskCount],
    );
    await tx.query(
      `INSERT INTO tasks (id, process_id, agency_code, step, name, state, assignee_user_id, assignee_role, assignee_unit,
          document_id, document_version, actions, priority, urgent, due_at, created_at)
       SELECT gen_random_uuid(), p.id, p.agency_code, 'review', 'Chuyên viên xem xét', 'open', p.started_by, 'specialist',
              'kgvx', p.document_id, 1, ARRAY['complete'], 0, (p.variables->>'bench')::int % 97 = 0,
              p.started_at + interval '2 days', p.started_at
         FROM processes p`,
    );
  });
  await pool.query('VACUUM ANALYZE');
}

/** Statements sent by the transitions (BEGIN and COMMIT included), to compare with the bare inserts' count. */
const counted = { statements: 0 };

/** The transaction handle with every statement counted (and printed with BENCH_PRINT_SQL=1). */
function counting(tx: Tx): Tx {
  return new Proxy(tx, {
    get(target, property, receiver) {
      if (property !== 'query') return Reflect.get(target, property, receiver) as unknown;
      return (...args: unknown[]) => {
        counted.statements += 1;
        if (process.env.BENCH_PRINT_SQL)
          process.stdout.write(`${String(args[0]).replace(/\s+/g, ' ').slice(0, 160)}\n`);
        return (target.query as (...a: unknown[]) => unknown)(...args);
      };
    },
  });
}

function contextFor(pool: Pool, identity: Identity, timers: ReturnType<typeof moduleTimers>): RoutingContext {
  const requestId = randomUUID();
  return {
    identity,
    requestId,
    // As a request's runner does (services/routing/src/routes/context.ts): history rows and events buffered and
    // written with one statement at the end of the use case.
    runInTransaction: async (work) => {
      counted.statements += 2; // BEGIN and COMMIT
      const result = await withTransaction(pool, (tx) => {
        const observed = counting(tx);
        return withWriteBuffer(observed, work);
      });
      return { result, replayed: false };
    },
    clock: () => now,
    logger,
    // The review step has no form and submits no version: nothing here calls documents (a call would fail the run).
    documents: new DocumentsClient('http://127.0.0.1:9'),
    events: { topicPrefix: 'bench.', source: '/vanthu/routing' },
    timers,
    localAgencies: [],
    credentials: { identity: '', requestId },
    // As a request's context has it (services/routing/src/routes/context.ts): one-statement reads skip BEGIN/COMMIT.
    readStatement: statementReader(pool),
  };
}

const percentile = (values: number[], p: number): number => {
  const sorted = [...values].sort((x, y) => x - y);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number;
};

async function inbox(pool: Pool, timers: ReturnType<typeof moduleTimers>) {
  const people = Array.from({ length: queryCount }, (_, i) => ({
    agencyCode: agency((i * 7) % agencyCount),
    userId: user((i * 13) % usersPerAgency),
  }));
  const bare: number[] = [];
  const product: number[] = [];
  const statements: number[] = [];
  let rows = 0;
  const client = await pool.connect();
  // Warm both paths once, then alternate them so that load on the machine falls on both alike.
  for (const [i, who] of people.entries()) {
    const identity: Identity = { ...who, unitCode: 'kgvx', roles: ['specialist'] };
    const t0 = performance.now();
    const result = await pool.query(
      `SELECT * FROM tasks WHERE agency_code = $1 AND assignee_user_id = $2 AND state IN ('open', 'claimed')
        ORDER BY due_at, id LIMIT 50`,
      [who.agencyCode, who.userId],
    );
    const t1 = performance.now();
    const page = await listTasks({ query: {} }, contextFor(pool, identity, timers));
    const t2 = performance.now();
    // The inbox's one statement (page and counts) alone, on one held connection.
    const filter = { ...who, roles: ['specialist'], unitCode: 'kgvx', dueBefore: null };
    await listInboxWithCounts(client, { ...filter, states: ['open', 'claimed'], after: null, limit: 51 });
    const t3 = performance.now();
    if (result.rowCount !== page.items.length)
      throw new Error(`bare SELECT found ${result.rowCount} rows, the inbox ${page.items.length}`);
    if (i > 0) {
      bare.push(t1 - t0);
      product.push(t2 - t1);
      statements.push(t3 - t2);
    }
    rows += page.items.length;
  }
  client.release();
  return {
    queries: bare.length,
    statementsP50Ms: percentile(statements, 50),
    statementsP95Ms: percentile(statements, 95),
    meanRowsPerPage: rows / people.length,
    bareP50Ms: percentile(bare, 50),
    bareP95Ms: percentile(bare, 95),
    inboxP50Ms: percentile(product, 50),
    inboxP95Ms: percentile(product, 95),
    ratioP95: percentile(product, 95) / percentile(bare, 95),
  };
}

async function transitions(
  pool: Pool,
  timers: ReturnType<typeof moduleTimers>,
  picked: { id: string; agency_code: string; assignee_user_id: string }[],
) {
  const mark = async () =>
    (
      await pool.query<{ t: string; h: string; o: string; m: string }>(
        `SELECT (SELECT count(*) FROM tasks) AS t, (SELECT count(*) FROM process_history) AS h,
                (SELECT count(*) FROM outbox) AS o, (SELECT count(*) FROM timers) AS m`,
      )
    ).rows[0]!;
  const before = await mark();
  const statementsBefore = counted.statements;
  const started = performance.now();
  for (const task of picked) {
    const identity: Identity = {
      userId: task.assignee_user_id,
      agencyCode: task.agency_code,
      unitCode: 'kgvx',
      roles: ['specialist'],
    };
    await completeTask({ taskId: task.id, body: {} }, contextFor(pool, identity, timers));
  }
  const seconds = (performance.now() - started) / 1000;
  const statements = counted.statements - statementsBefore;
  const after = await mark();
  const written = {
    tasksInserted: Number(after.t) - Number(before.t),
    tasksUpdated: picked.length,
    historyRows: Number(after.h) - Number(before.h),
    outboxRows: Number(after.o) - Number(before.o),
    timerRows: Number(after.m) - Number(before.m),
  };
  const completed = Number(
    (
      await pool.query(`SELECT count(*) AS n FROM tasks WHERE id = ANY($1::uuid[]) AND state = 'completed'`, [
        picked.map((t) => t.id),
      ])
    ).rows[0].n,
  );
  if (completed !== picked.length || written.tasksInserted !== picked.length)
    throw new Error(`completed ${completed} and assigned ${written.tasksInserted} of ${picked.length}`);
  return { transitions: picked.length, seconds, perSecond: picked.length / seconds, statements, written };
}

/** The same rows the transitions wrote (next tasks, history, timers, outbox), inserted again bare, one transaction each. */
async function bareInserts(pool: Pool, processIds: string[]) {
  // Each table with the column naming the process the row belongs to (outbox rows are keyed by process).
  const tables = [
    { table: 'tasks', key: 'process_id', where: "AND step = 'approve'" },
    { table: 'process_history', key: 'process_id', where: '' },
    { table: 'timers', key: 'process_id', where: '' },
    { table: 'outbox', key: 'message_key', where: '' },
  ];
  const byProcess = new Map<string, { table: string; row: Record<string, unknown> }[]>();
  let total = 0;
  for (const { table, key, where } of tables) {
    const { rows } = await pool.query<Record<string, unknown>>(
      `SELECT * FROM ${table} WHERE ${key}::text = ANY($1::text[]) ${where}`,
      [processIds],
    );
    for (const row of rows) {
      const list = byProcess.get(String(row[key])) ?? [];
      list.push({ table, row });
      byProcess.set(String(row[key]), list);
    }
    total += rows.length;
  }
  // New keys for the copies; process_history refuses deletes (append-only), so its copies go to a twin table.
  const fresh = (table: string, row: Record<string, unknown>): Record<string, unknown> => {
    const copy = { ...row };
    if (table === 'outbox') {
      delete copy.position;
      copy.event_id = randomUUID();
    } else if (table !== 'process_history') copy.id = randomUUID();
    return copy;
  };
  await pool.query('CREATE TABLE IF NOT EXISTS bench_history (LIKE process_history INCLUDING ALL)');
  const started = performance.now();
  for (const list of byProcess.values())
    await withTransaction(pool, async (tx) => {
      for (const { table, row } of list) {
        const copy = fresh(table, row);
        const names = Object.keys(copy);
        await tx.query(
          `INSERT INTO ${table === 'process_history' ? 'bench_history' : table} (${names.join(', ')})
           VALUES (${names.map((_, i) => `$${i + 1}`).join(', ')})`,
          names.map((n) =>
            n === 'detail' ||
            n === 'data' ||
            n === 'payload' ||
            n === 'extensions' ||
            n === 'outcome' ||
            n === 'progress'
              ? JSON.stringify(copy[n])
              : copy[n],
          ),
        );
      }
    });
  const seconds = (performance.now() - started) / 1000;
  return {
    transactions: byProcess.size,
    rows: total,
    // One INSERT per row, with BEGIN and COMMIT around each transition's rows.
    statements: total + 2 * byProcess.size,
    seconds,
    perSecond: byProcess.size / seconds,
  };
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((x, y) => x - y);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
};

/**
 * Transitions against bare inserts, fairly: a warm-up round of each that is not counted, then rounds of the same size
 * in which the transitions run and, right after, the bare inserts of exactly the rows those transitions wrote (one
 * transaction per transition on both sides), so that load on the shared machine falls on both alike. The figure is
 * the median of the rounds' ratios.
 */
async function transitionRounds(pool: Pool, timers: ReturnType<typeof moduleTimers>) {
  const { rows: picked } = await pool.query<{ id: string; agency_code: string; assignee_user_id: string }>(
    `SELECT id, agency_code, assignee_user_id FROM tasks WHERE state = 'open' AND step = 'review'
      ORDER BY md5(id::text) LIMIT $1`,
    [warmUpCount + transitionCount],
  );
  const processesOf = async (tasks: { id: string }[]) =>
    (
      await pool.query<{ process_id: string }>('SELECT process_id FROM tasks WHERE id = ANY($1::uuid[])', [
        tasks.map((t) => t.id),
      ])
    ).rows.map((r) => r.process_id);
  const warm = picked.slice(0, warmUpCount);
  await transitions(pool, timers, warm);
  await bareInserts(pool, await processesOf(warm));
  const size = Math.ceil(transitionCount / roundCount);
  type Round = Awaited<ReturnType<typeof transitions>> & {
    bare: Awaited<ReturnType<typeof bareInserts>>;
    ratio: number;
    loadAverage: number;
  };
  const rounds: Round[] = [];
  for (let r = 0; r < roundCount; r += 1) {
    const tasks = picked.slice(warmUpCount + r * size, warmUpCount + (r + 1) * size);
    if (tasks.length === 0) break;
    const run = await transitions(pool, timers, tasks);
    const bare = await bareInserts(pool, await processesOf(tasks));
    rounds.push({ ...run, bare, ratio: run.perSecond / bare.perSecond, loadAverage: os.loadavg()[0] as number });
  }
  const sum = (f: (round: Round) => number) => rounds.reduce((n, round) => n + f(round), 0);
  return {
    warmUp: warm.length,
    rounds,
    transitions: sum((r) => r.transitions),
    seconds: sum((r) => r.seconds),
    perSecond: sum((r) => r.transitions) / sum((r) => r.seconds),
    bareTransactions: sum((r) => r.bare.transactions),
    bareRows: sum((r) => r.bare.rows),
    bareSeconds: sum((r) => r.bare.seconds),
    barePerSecond: sum((r) => r.bare.transactions) / sum((r) => r.bare.seconds),
    statementsPerTransition: sum((r) => r.statements) / sum((r) => r.transitions),
    bareStatementsPerTransaction: sum((r) => r.bare.statements) / sum((r) => r.bare.transactions),
    written: {
      tasksInserted: sum((r) => r.written.tasksInserted),
      historyRows: sum((r) => r.written.historyRows),
      outboxRows: sum((r) => r.written.outboxRows),
      timerRows: sum((r) => r.written.timerRows),
    },
    medianRatio: median(rounds.map((r) => r.ratio)),
    minRatio: Math.min(...rounds.map((r) => r.ratio)),
    maxRatio: Math.max(...rounds.map((r) => r.ratio)),
  };
}

async function main(): Promise<void> {
  const db = await createTestDatabase('bench_inbox');
  try {
    await runMigrations(db.url, migrationsDir, logger);
    const pool = createPool(db.url);
    const timers = moduleTimers(() => now);
    const seedStarted = performance.now();
    await seed(pool);
    const seedSeconds = (performance.now() - seedStarted) / 1000;
    const open = Number((await pool.query(`SELECT count(*) AS n FROM tasks WHERE state = 'open'`)).rows[0].n);

    const inboxRun = await inbox(pool, timers);
    const transitionRun = await transitionRounds(pool, timers);
    await pool.end();

    const results = {
      date: new Date().toISOString(),
      loadAverage: os.loadavg()[0],
      cpus: os.cpus().length,
      openTasks: open,
      agencies: agencyCount,
      peoplePerAgency: usersPerAgency,
      seedSeconds,
      inbox: inboxRun,
      transitions: transitionRun,
      transitionsToBare: transitionRun.medianRatio,
      goals: {
        inboxP95AtMostTwiceBare: inboxRun.ratioP95 <= 2,
        transitionsAtLeast30PercentOfBare: transitionRun.medianRatio >= 0.3,
      },
    };
    fs.writeFileSync(path.join(__dirname, 'inbox-transitions-results.json'), `${JSON.stringify(results, null, 2)}\n`);
    const w = transitionRun.written;
    const section = [
      '<!-- inbox:start -->',
      '## Inbox and transitions',
      '',
      `Run ${results.date} (\`npx tsx bench/routing/inbox-transitions.ts\`), ${open} open tasks across ${agencyCount} agencies`,
      `(${usersPerAgency} people each, one process per task), on the shared ${results.cpus}-core development machine with other`,
      `helpers' builds and tests running (load average ${results.loadAverage!.toFixed(1)} as it finished): read the ratios, not`,
      'the absolute times. Both sides of each ratio ran in the same process against the same tables, interleaved for',
      'the inbox.',
      '',
      `### Inbox (${inboxRun.queries} people, ${inboxRun.meanRowsPerPage.toFixed(0)} tasks on a page on average)`,
      '',
      '| | p50 ms | p95 ms |',
      '| --- | ---: | ---: |',
      `| bare indexed \`SELECT … WHERE agency_code AND assignee_user_id AND state ORDER BY due_at LIMIT 50\` | ${inboxRun.bareP50Ms.toFixed(2)} | ${inboxRun.bareP95Ms.toFixed(2)} |`,
      `| \`listTasks\` (GET /v1/tasks: own and role tasks, urgent first, cursor page, counts per state, one statement on a pooled connection) | ${inboxRun.inboxP50Ms.toFixed(2)} | ${inboxRun.inboxP95Ms.toFixed(2)} |`,
      `| the inbox's statement (page and counts) alone, on one held connection | ${inboxRun.statementsP50Ms.toFixed(2)} | ${inboxRun.statementsP95Ms.toFixed(2)} |`,
      '',
      `- p95 ratio: ${inboxRun.ratioP95.toFixed(2)}× the bare query. Goal ≤ 2×: ${results.goals.inboxP95AtMostTwiceBare ? 'met' : 'NOT met'}.`,
      '',
      `### Transitions (${transitionRun.rounds.length} rounds of ${transitionRun.rounds[0]?.transitions ?? 0} after a warm-up of ${transitionRun.warmUp}, one after another on one connection)`,
      '',
      'Each round runs its transitions, then the bare inserts of exactly the rows they wrote (one transaction per',
      "transition on both sides); the figure is the median of the rounds' ratios.",
      '',
      '| | transactions | seconds | per second | statements per transaction |',
      '| --- | ---: | ---: | ---: | ---: |',
      `| \`completeTask\`: lock process and task, complete \`review\`, assign \`approve\` with its deadline and reminder timers, history, outbox | ${transitionRun.transitions} | ${transitionRun.seconds.toFixed(2)} | ${transitionRun.perSecond.toFixed(0)} | ${transitionRun.statementsPerTransition.toFixed(1)} |`,
      `| bare INSERT of the same ${transitionRun.bareRows} rows, grouped by transition, one transaction each | ${transitionRun.bareTransactions} | ${transitionRun.bareSeconds.toFixed(2)} | ${transitionRun.barePerSecond.toFixed(0)} | ${transitionRun.bareStatementsPerTransaction.toFixed(1)} |`,
      '',
      `- Rounds' ratios: ${transitionRun.rounds.map((r) => `${(r.ratio * 100).toFixed(0)} %`).join(', ')} (load average ${transitionRun.rounds.map((r) => r.loadAverage.toFixed(1)).join(', ')}).`,
      `- Each transition wrote on average ${(w.historyRows / transitionRun.transitions).toFixed(1)} history rows, ${(w.outboxRows / transitionRun.transitions).toFixed(1)} outbox events and ${(w.timerRows / transitionRun.transitions).toFixed(1)} timers, updated one task and`,
      `  inserted one (${w.tasksInserted} in all; every picked task completed).`,
      `- Transitions at ${(results.transitionsToBare * 100).toFixed(0)} % of the bare inserts (median of the rounds; ${(transitionRun.minRatio * 100).toFixed(0)}–${(transitionRun.maxRatio * 100).toFixed(0)} %). Goal ≥ 30 %: ${results.goals.transitionsAtLeast30PercentOfBare ? 'met' : 'NOT met'}.`,
      '<!-- inbox:end -->',
      '',
    ].join('\n');
    writeResultsSection(path.join(__dirname, 'results.md'), 'inbox', section, '# Routing benchmarks');
    process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
  } finally {
    await db.drop();
  }
}

runBenchmark(main);
