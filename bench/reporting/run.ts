// Projection and roll-up benchmark (issue 14), on a fresh database migrated from nothing, every speed a ratio
// against a baseline measured in the same run on the same tables:
//   - projection: events/s through the inbox path (the platform's projectInboxBatch on Kafka-shaped messages: parse,
//     version and schema check, inbox rows and handlers whose writes go out set-based per batch (write-batch.ts),
//     reportingBatchSize events per transaction as the service runs, and one per transaction on a sample for
//     comparison; Kafka left out), against a bare batched INSERT of
//     exactly the rows the projection wrote (1,000 rows per statement, the same tables and indexes);
//   - the province roll-up for one month (getProvinceReport, freshness included, and its counting query alone) p50/p95.
// Events: monthOfActivity (the integration test's generator: drafts, initials, approvals, seals, registrations,
// issues, validations, digitised copies, certificates) for every agency and month of a year, times shifted by month.
// Usage (PostgreSQL up):
//   npx tsx bench/reporting/run.ts [--events 15000] [--agencies 40] [--queries 30] [--analyze]   # the bounded sample
//   (--analyze also re-inserts the rows bare, runs ANALYZE and measures the roll-up again: minutes, see results.md)
//   npx tsx bench/reporting/run.ts --full        # 1,000,000 events, 1,500 agencies (a year of a province: several
//                                                # minutes of projection and the generator's memory; not run on the
//                                                # shared machine, see results.md)
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  createLogger,
  createPool,
  projectInboxBatch,
  runMigrations,
  toKafkaHeaders,
  withTransaction,
} from '@vanthu/platform';
import type { CloudEvent, InboxMessage, Pool } from '@vanthu/platform';
import { migrationsDir } from '../../services/reporting/src/config';
import { reportingBatchSize, reportingConsumer } from '../../services/reporting/src/events/consumers';
import { getProvinceReport } from '../../services/reporting/src/domain/get-province-report';
import { monthlyAgencyCounts } from '../../services/reporting/src/repositories/compliance-repository';
import { projectionTables } from '../../services/reporting/src/repositories/projection-repository';
import { monthRange } from '../../services/reporting/src/domain/month';
import { monthOfActivity } from '../../services/reporting/test/month-of-activity';
import type { Published } from '../../services/reporting/test/month-of-activity';
import { createTestDatabase } from '../../test/support/databases';
import { ensureServiceDatabase } from '../../infra/src/postgres';

const args = process.argv.slice(2);
const full = args.includes('--full');
const option = (name: string, fallback: number): number => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) || fallback : fallback;
};
const eventTarget = option('--events', full ? 1_000_000 : 15_000);
const agencyCount = option('--agencies', full ? 1_500 : 40);
const analyze = args.includes('--analyze');
const queryCount = option('--queries', 30);
// One transaction per event is slow: measured on the first events only, into emptied tables, for the comparison.
const perEventSample = option('--per-event-sample', full ? 20_000 : 3_000);
// --keep leaves the projected database in place (its name is printed); --database NAME measures only the roll-up on
// such a kept database, so a query can be changed and measured again without projecting the year again.
const keep = args.includes('--keep');
const reuse = args.includes('--database') ? (args[args.indexOf('--database') + 1] ?? null) : null;
const consumer = 'reporting';
const logger = createLogger('bench-reporting', 'silent');
const agency = (a: number): string =>
  `000.${String(Math.floor(a / 100)).padStart(2, '0')}.${String(a % 100).padStart(2, '0')}.H56`;
const monthMs = 30.4 * 86_400_000;

const percentile = (values: number[], p: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number;
};

/** Every ISO date-time in the event moved back `months` months (November's activity becomes an earlier month's). */
function shifted(event: CloudEvent, months: number): CloudEvent {
  if (months === 0) return event;
  const shift = (value: unknown): unknown => {
    if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(value))
      return new Date(Date.parse(value) - months * monthMs).toISOString();
    if (Array.isArray(value)) return value.map(shift);
    if (value && typeof value === 'object')
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, shift(v)]));
    return value;
  };
  return { ...event, time: shift(event.time) as string, data: shift(event.data) };
}

/** A year of the province: each agency's month (documents, signatures, copies, certificates), until the target. */
function generate(): { events: Published[]; perAgencyMonth: number } {
  // About 25 events of every agency-month are certificates and copies; the rest grows with the documents per month.
  // Rounded up, so the year reaches the target and is cut there (rounded to nearest, --full made 920,874 events).
  const perAgencyMonth = Math.max(1, Math.ceil((eventTarget / (agencyCount * 12) - 25) / 4.8));
  const events: Published[] = [];
  for (let month = 0; month < 12 && events.length < eventTarget; month += 1)
    for (let a = 0; a < agencyCount && events.length < eventTarget; a += 1)
      for (const published of monthOfActivity(month * 10_000 + a, [agency(a)], perAgencyMonth).events)
        events.push({ ...published, event: shifted(published.event, month) });
  return { events: events.slice(0, eventTarget), perAgencyMonth };
}

/** The events as Kafka delivers them to the inbox: binary-mode CloudEvents, offsets per partition. */
function asMessages(events: Published[]): InboxMessage[] {
  return events.map(({ topic, event }, index) => ({
    topic,
    partition: index % 3,
    offset: String(index),
    headers: toKafkaHeaders(event),
    value: Buffer.from(JSON.stringify(event.data)),
  }));
}

/**
 * What InboxConsumer does after Kafka, with the platform's own code (projectInboxBatch): parse, version and schema
 * check, the inbox rows and the handlers, `batchSize` messages per transaction (1: one transaction per event, as
 * before issue 14's batching; reportingBatchSize: as the service runs).
 */
async function project(pool: Pool, messages: InboxMessage[], batchSize: number) {
  // As the service consumes: the handlers queue their writes in the write batch, which the inbox sends set-based.
  const { handlers, writeBatch } = reportingConsumer(consumer, '');
  const scope = { consumer, handlers, writeBatch };
  const started = performance.now();
  for (let i = 0; i < messages.length; i += batchSize) {
    const chunk = messages.slice(i, i + batchSize);
    await withTransaction(pool, (tx) => projectInboxBatch(tx, scope, chunk));
  }
  const seconds = (performance.now() - started) / 1000;
  const counted = Number(
    (await pool.query('SELECT count(*) AS n FROM inbox WHERE consumer = $1', [consumer])).rows[0].n,
  );
  return { batchSize, events: messages.length, counted, seconds, perSecond: messages.length / seconds };
}

async function emptyAll(pool: Pool): Promise<void> {
  await pool.query(`TRUNCATE inbox, inbox_positions, inbox_dead_letter, ${projectionTables.join(', ')}`);
}

/**
 * The rows the projection wrote, emptied and inserted again bare: 1,000 rows per INSERT, one transaction per batch.
 * Bare means without the inbox's trigger (inbox_positions, whose rows are copied like the others) and without the
 * roll-ups' recount (their rows are copied too): what keeping them costs is the projection's work, not the baseline's.
 */
async function bareBatchedInsert(pool: Pool) {
  const tables = ['inbox', 'inbox_positions', ...projectionTables];
  const saved: { table: string; rows: string[] }[] = [];
  for (const table of tables) {
    const { rows } = await pool.query<{ row: string }>(`SELECT row_to_json(t)::text AS row FROM ${table} t`);
    saved.push({ table, rows: rows.map((r) => r.row) });
  }
  await pool.query(`TRUNCATE ${tables.join(', ')}`);
  for (const table of tables) await pool.query(`ALTER TABLE ${table} DISABLE TRIGGER USER`);
  let total = 0;
  const started = performance.now();
  for (const { table, rows } of saved)
    for (let i = 0; i < rows.length; i += 1000) {
      const batch = rows.slice(i, i + 1000);
      await pool.query(`INSERT INTO ${table} SELECT * FROM json_populate_recordset(NULL::${table}, $1::json)`, [
        `[${batch.join(',')}]`,
      ]);
      total += batch.length;
    }
  const seconds = (performance.now() - started) / 1000;
  for (const table of tables) await pool.query(`ALTER TABLE ${table} ENABLE TRIGGER USER`);
  const perTable = Object.fromEntries(saved.map(({ table, rows }) => [table, rows.length]));
  return { rows: total, perTable, seconds, rowsPerSecond: total / seconds };
}

async function rollUp(pool: Pool, month: string) {
  const ctx = {
    identity: { userId: 'so-khcn', agencyCode: '000.00.00.H56', roles: ['report-collector' as const] },
    requestId: 'bench',
    runInTransaction: async <T>(work: (tx: Parameters<Parameters<typeof withTransaction>[1]>[0]) => Promise<T>) => ({
      result: await withTransaction(pool, work),
      replayed: false,
    }),
    clock: () => new Date('2026-12-05T03:00:00Z'),
    logger,
    consumer,
  };
  const range = monthRange(month);
  const report: number[] = [];
  const counts: number[] = [];
  let agencies = 0;
  for (let i = 0; i < queryCount + 3; i += 1) {
    let t = performance.now();
    const result = await getProvinceReport({ month }, ctx);
    const reportMs = performance.now() - t;
    t = performance.now();
    await withTransaction(pool, (tx) =>
      monthlyAgencyCounts(tx, { from: range.from, to: range.to, agencyCode: null, asOf: ctx.clock().toISOString() }),
    );
    const countsMs = performance.now() - t;
    agencies = result.agencies.length;
    if (i >= 3) {
      report.push(reportMs);
      counts.push(countsMs);
    }
  }
  return {
    month,
    agencies,
    queries: queryCount,
    reportP50Ms: percentile(report, 50),
    reportP95Ms: percentile(report, 95),
    countsP50Ms: percentile(counts, 50),
    countsP95Ms: percentile(counts, 95),
  };
}

/** The roll-up alone on a database a `--keep` run left, migrated to the current code first. */
async function rollUpOnly(name: string): Promise<void> {
  const loadAtStart = os.loadavg()[0];
  const url = await ensureServiceDatabase(name);
  await runMigrations(url, migrationsDir, logger);
  const pool = createPool(url);
  try {
    const facts = Number((await pool.query('SELECT count(*) AS n FROM document_facts')).rows[0].n);
    const events = Number((await pool.query('SELECT count(*) AS n FROM inbox')).rows[0].n);
    const rollUpBefore = await rollUp(pool, '2026-11');
    let rollUpAfter: Awaited<ReturnType<typeof rollUp>> | null = null;
    if (analyze) {
      await pool.query('ANALYZE');
      rollUpAfter = await rollUp(pool, '2026-11');
    }
    const results = {
      date: new Date().toISOString(),
      database: name,
      loadAverageAtStart: loadAtStart,
      loadAverageAtEnd: os.loadavg()[0],
      cpus: os.cpus().length,
      events,
      documentFacts: facts,
      rollUp: rollUpBefore,
      rollUpAfterAnalyze: rollUpAfter,
      goals: {
        rollUpP95AtMost200Ms: rollUpBefore.reportP95Ms <= 200,
        rollUpAfterAnalyzeP95AtMost200Ms: rollUpAfter ? rollUpAfter.reportP95Ms <= 200 : null,
      },
    };
    process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
  } finally {
    await pool.end();
  }
}

async function main(): Promise<void> {
  if (reuse) return rollUpOnly(reuse);
  const loadAtStart = os.loadavg()[0];
  const db = await createTestDatabase('bench_reporting');
  try {
    await runMigrations(db.url, migrationsDir, logger);
    const pool = createPool(db.url);
    const generated = generate();
    const messages = asMessages(generated.events);
    const perEvent = await project(pool, messages.slice(0, perEventSample), 1);
    await emptyAll(pool);
    const projection = await project(pool, messages, reportingBatchSize);
    const facts = Number((await pool.query('SELECT count(*) AS n FROM document_facts')).rows[0].n);
    const rollUpBefore = await rollUp(pool, '2026-11');
    const bare = await bareBatchedInsert(pool);
    // With planner statistics (as autovacuum gives a running service) the roll-up chose a far slower plan here.
    let rollUpAfter: Awaited<ReturnType<typeof rollUp>> | null = null;
    if (analyze) {
      await pool.query('ANALYZE');
      rollUpAfter = await rollUp(pool, '2026-11');
    }
    await pool.end();
    const ratio = projection.perSecond / (bare.rows / bare.seconds);
    // The same work both ways: the bare insert writes exactly the rows projecting these events wrote.
    const sameWork = bare.seconds / projection.seconds;
    const perEventRatio = perEvent.perSecond / (bare.rows / bare.seconds);
    const results = {
      date: new Date().toISOString(),
      loadAverageAtStart: loadAtStart,
      cpus: os.cpus().length,
      events: projection.events,
      loadAverageAtEnd: os.loadavg()[0],
      agencies: agencyCount,
      months: 12,
      documentsPerAgencyMonth: generated.perAgencyMonth,
      documentFacts: facts,
      projection,
      projectionOneTransactionPerEvent: perEvent,
      bareBatchedInsert: bare,
      // Events projected per second against rows inserted bare per second (the projection writes more than one row
      // per event: the inbox row and its facts; see bareBatchedInsert.perTable).
      projectionToBare: ratio,
      // Time of the bare batched insert of the projection's rows over the time of projecting the events (1 = as fast).
      projectionToBareSameRows: sameWork,
      projectionOneTransactionPerEventToBare: perEventRatio,
      rollUp: rollUpBefore,
      rollUpAfterAnalyze: rollUpAfter,
      goals: {
        projectionAtLeast30PercentOfBare: ratio >= 0.3,
        projectionAtLeast30PercentOfBareSameRows: sameWork >= 0.3,
        rollUpP95AtMost200Ms: rollUpBefore.reportP95Ms <= 200,
        rollUpAfterAnalyzeP95AtMost200Ms: rollUpAfter ? rollUpAfter.reportP95Ms <= 200 : null,
      },
    };
    const name = full ? 'results-full.json' : 'results.json';
    fs.writeFileSync(path.join(__dirname, name), `${JSON.stringify(results, null, 2)}\n`);
    process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
  } finally {
    if (keep) process.stderr.write(`kept database ${db.name} (--database ${db.name} measures the roll-up again)\n`);
    else await db.drop();
  }
}

void main();
