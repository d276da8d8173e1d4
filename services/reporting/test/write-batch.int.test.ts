import { projectInboxBatch, toKafkaHeaders, withTransaction } from '@vanthu/platform';
import type { InboxMessage } from '@vanthu/platform';
import { migrationsDir } from '../src/config';
import { reportingConsumer, reportingHandlers } from '../src/events/consumers';
import { projectionTables } from '../src/repositories/projection-repository';
import { flushWriteBatch, WriteBatch } from '../src/repositories/write-batch';
import { serviceFixture } from '../../../test/support/service-fixture';
import type { ServiceFixture } from '../../../test/support/service-fixture';
import { monthOfActivity } from './month-of-activity';
import { addRoutingAndExchange } from './routing-activity';

// The set-based projection (write batch) must leave exactly the tables the event-by-event handlers leave: a month of
// activity of three agencies (documents, signatures, validations, copies, certificates, processes and tasks whose
// events name the same task several times in one batch, hub exchanges with their array of counterparts,
// consultations left out by the generator) projected both ways, 500 events per transaction as the service runs.

let fixture: ServiceFixture;
beforeAll(async () => {
  fixture = await serviceFixture('reporting-write-batch', migrationsDir);
});
afterAll(async () => {
  await fixture?.close();
});

const agencies = ['000.00.01.H57', '000.00.02.H57', '000.00.03.H57'];

const dump = async (): Promise<Record<string, string[]>> => {
  const tables: Record<string, string[]> = {};
  for (const table of projectionTables) {
    const { rows } = await fixture.pool.query<{ row: string }>(`SELECT row_to_json(t)::text AS row FROM ${table} t`);
    tables[table] = rows.map((r) => r.row).sort();
  }
  return tables;
};

it('writes the same projection rows as the handlers one event at a time, in far fewer statements', async () => {
  const activity = monthOfActivity(20261204, agencies, 25);
  addRoutingAndExchange(activity, 20261205, Date.parse('2026-12-05T03:00:00Z'));
  const messages: InboxMessage[] = activity.events.map(({ topic, event }, index) => ({
    topic,
    partition: 0,
    offset: String(index),
    headers: toKafkaHeaders(event),
    value: Buffer.from(JSON.stringify(event.data)),
  }));
  expect(messages.length).toBeGreaterThan(1_000);
  const project = async (scope: Parameters<typeof projectInboxBatch>[1]): Promise<Record<string, string[]>> => {
    await fixture.pool.query(`TRUNCATE inbox, inbox_positions, ${projectionTables.join(', ')}`);
    for (let i = 0; i < messages.length; i += 500)
      await withTransaction(fixture.pool, (tx) => projectInboxBatch(tx, scope, messages.slice(i, i + 500)));
    return dump();
  };

  const oneByOne = await project({ consumer: 'reporting', handlers: reportingHandlers });
  const flushed: { statements: number; rows: number }[] = [];
  const flush = WriteBatch.prototype.flush;
  const spy = jest.spyOn(WriteBatch.prototype, 'flush').mockImplementation(async function (this: WriteBatch) {
    const outcome = await flush.call(this);
    flushed.push(outcome);
    return outcome;
  });
  const { handlers, afterHandlers } = reportingConsumer('reporting', '');
  const batched = await project({ consumer: 'reporting', handlers, afterHandlers });
  spy.mockRestore();

  expect(Object.values(oneByOne).reduce((n, rows) => n + rows.length, 0)).toBeGreaterThan(500);
  for (const table of projectionTables)
    expect({ table, rows: batched[table] }).toEqual({ table, rows: oneByOne[table] });
  // Every queued write went out, in a fraction of the statements (one per statement text and round, plus the
  // exchange rows that go one by one).
  const rows = flushed.reduce((n, f) => n + f.rows, 0);
  const statements = flushed.reduce((n, f) => n + f.statements, 0);
  expect(rows).toBeGreaterThanOrEqual(messages.length);
  expect(statements).toBeLessThan(rows / 5);
});

const count = async (sql: string): Promise<number> => Number((await fixture.pool.query(sql)).rows[0].n);

const messagesOf = (seed: number): InboxMessage[] =>
  monthOfActivity(seed, agencies, 2).events.map(({ topic, event }, index) => ({
    topic,
    partition: 0,
    offset: String(index),
    headers: toKafkaHeaders(event),
    value: Buffer.from(JSON.stringify(event.data)),
  }));

it('refuses to commit the batched handlers run without afterHandlers: nothing is kept and the events are read again', async () => {
  await fixture.pool.query(`TRUNCATE inbox, inbox_positions, ${projectionTables.join(', ')}`);
  const messages = messagesOf(20261206).slice(0, 40);
  const { consumer, handlers, afterHandlers } = reportingConsumer('reporting', '');
  // Before, this committed: the events' inbox rows (counted as done) and none of their facts.
  await expect(
    withTransaction(fixture.pool, (tx) => projectInboxBatch(tx, { consumer, handlers }, messages)),
  ).rejects.toThrow(/never sent/);
  expect(await count('SELECT count(*) AS n FROM inbox')).toBe(0);
  expect(await count('SELECT count(*) AS n FROM document_facts')).toBe(0);
  // Paired, the same batch is kept with its facts. The refused transaction's connection may come back from the pool
  // with that batch's writes still queued: its next flush refuses them once (they were not kept), as a retry would.
  const project = () =>
    withTransaction(fixture.pool, (tx) => projectInboxBatch(tx, { consumer, handlers, afterHandlers }, messages));
  await project().catch(async (error: Error) => {
    expect(error.message).toMatch(/another transaction/);
    await project();
  });
  expect(await count('SELECT count(*) AS n FROM inbox')).toBe(messages.length);
  expect(await count('SELECT count(*) AS n FROM document_facts')).toBeGreaterThan(0);
});

it('never sends writes queued in a transaction that rolled back with the next transaction on the same connection', async () => {
  await fixture.pool.query(`TRUNCATE inbox, inbox_positions, ${projectionTables.join(', ')}`);
  const [created] = monthOfActivity(20261207, agencies, 1).events.filter(
    (e) => e.event.type === 'vn.vanthu.document.created.v1',
  );
  const { handlers } = reportingConsumer('reporting', '');
  const client = await fixture.pool.connect();
  try {
    // A handler queued its write, then the transaction failed elsewhere and rolled back.
    await client.query('BEGIN');
    await handlers['vn.vanthu.document.created.v1']?.(client, created?.event as never);
    await client.query('ROLLBACK');
    // The pooled connection's next transaction must not send it.
    await client.query('BEGIN');
    await expect(flushWriteBatch(client)).rejects.toThrow(/another transaction/);
    await client.query('ROLLBACK');
    await client.query('BEGIN');
    await flushWriteBatch(client);
    await client.query('COMMIT');
  } finally {
    client.release();
  }
  expect(await count('SELECT count(*) AS n FROM document_facts')).toBe(0);
});
