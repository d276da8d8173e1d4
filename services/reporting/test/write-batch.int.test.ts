import { projectInboxBatch, toKafkaHeaders, withTransaction } from '@vanthu/platform';
import type { InboxMessage } from '@vanthu/platform';
import { migrationsDir } from '../src/config';
import { reportingConsumer, reportingHandlers } from '../src/events/consumers';
import { projectionTables } from '../src/repositories/projection-repository';
import { WriteBatch } from '../src/repositories/write-batch';
import { refreshAllRollUps } from '../src/repositories/roll-up-repository';
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
  const project = async (
    scope: Parameters<typeof projectInboxBatch>[1],
    after: () => Promise<void> = () => Promise.resolve(),
  ): Promise<Record<string, string[]>> => {
    await fixture.pool.query(`TRUNCATE inbox, inbox_positions, ${projectionTables.join(', ')}`);
    for (let i = 0; i < messages.length; i += 500)
      await withTransaction(fixture.pool, (tx) => projectInboxBatch(tx, scope, messages.slice(i, i + 500)));
    await after();
    return dump();
  };

  // Event by event the handlers write in the transaction and keep no roll-ups: those are recounted afterwards from all
  // the facts at once, the check of what the batches kept one transaction at a time (roll-up-repository.ts).
  const oneByOne = await project({ consumer: 'reporting', handlers: reportingHandlers }, async () => {
    await fixture.pool.query(
      'TRUNCATE province_agencies, signer_facts, agency_month_documents, agency_month_certificates',
    );
    await withTransaction(fixture.pool, refreshAllRollUps);
  });
  expect(oneByOne.agency_month_certificates?.length).toBeGreaterThan(0);
  const flushed: { statements: number; rows: number }[] = [];
  const send = WriteBatch.prototype.send;
  const spy = jest.spyOn(WriteBatch.prototype, 'send').mockImplementation(async function (this: WriteBatch) {
    const outcome = await send.call(this);
    flushed.push(outcome);
    return outcome;
  });
  const { handlers, writeBatch } = reportingConsumer('reporting', '');
  const batched = await project({ consumer: 'reporting', handlers, writeBatch });
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

// The inbox owns the write batch (platform inbox.ts, `writeBatch`): it makes one per transaction, gives the handlers
// its writer and sends it before the commit, so no caller can leave the sending out. What must never happen is a
// commit whose handlers' writes were not sent: the events' inbox rows (counted as done) without their facts.
it('refuses to commit a transaction whose write batch did not send its writes: nothing is kept and the events are read again', async () => {
  await fixture.pool.query(`TRUNCATE inbox, inbox_positions, ${projectionTables.join(', ')}`);
  const messages = messagesOf(20261206).slice(0, 40);
  const scope = reportingConsumer('reporting', '');
  // A batch that forgets its writes when asked to send them (the failure the old afterHandlers pairing allowed).
  const spy = jest
    .spyOn(WriteBatch.prototype, 'send')
    .mockImplementation(() => Promise.resolve({ statements: 0, rows: 0 }));
  try {
    await expect(withTransaction(fixture.pool, (tx) => projectInboxBatch(tx, scope, messages))).rejects.toThrow(
      /left unsent/,
    );
  } finally {
    spy.mockRestore();
  }
  expect(await count('SELECT count(*) AS n FROM inbox')).toBe(0);
  expect(await count('SELECT count(*) AS n FROM document_facts')).toBe(0);
  // With the batch sending, the same events are kept with their facts, in one transaction.
  await withTransaction(fixture.pool, (tx) => projectInboxBatch(tx, scope, messages));
  expect(await count('SELECT count(*) AS n FROM inbox')).toBe(messages.length);
  expect(await count('SELECT count(*) AS n FROM document_facts')).toBeGreaterThan(0);
});

it('refuses a write queued after its batch was sent instead of losing it', async () => {
  const batch = new WriteBatch(fixture.pool as never);
  await batch.writer.query(
    'INSERT INTO province_agencies (agency_code) VALUES ($1) ON CONFLICT (agency_code) DO NOTHING',
    ['000.00.09.H57'],
  );
  expect(batch.pending).toBe(1);
  await batch.send();
  expect(batch.pending).toBe(0);
  await expect(
    batch.writer.query('INSERT INTO province_agencies (agency_code) VALUES ($1) ON CONFLICT (agency_code) DO NOTHING', [
      '000.00.10.H57',
    ]),
  ).rejects.toThrow(/after its write batch was sent/);
  expect(
    await count(`SELECT count(*) AS n FROM province_agencies WHERE agency_code IN ('000.00.09.H57', '000.00.10.H57')`),
  ).toBe(1);
});

it('never sends writes queued in a transaction that rolled back with the next transaction on the same connection', async () => {
  await fixture.pool.query(`TRUNCATE inbox, inbox_positions, ${projectionTables.join(', ')}`);
  const events = messagesOf(20261207);
  const created = events.filter((m) => m.headers?.ce_type?.toString() === 'vn.vanthu.document.created.v1');
  expect(created.length).toBeGreaterThan(1);
  const scope = reportingConsumer('reporting', '');
  // The first document's handler queues its write, then the next handler fails: the transaction rolls back.
  const failing = {
    ...scope,
    handlers: {
      ...scope.handlers,
      'vn.vanthu.document.registered.v1': () => Promise.reject(new Error('handler failed')),
    },
  };
  const client = await fixture.pool.connect();
  try {
    const inTransaction = async (work: () => Promise<void>): Promise<void> => {
      await client.query('BEGIN');
      try {
        await work();
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK');
        throw error;
      }
    };
    const registered = events.filter((m) => m.headers?.ce_type?.toString() === 'vn.vanthu.document.registered.v1');
    expect(registered.length).toBeGreaterThan(0);
    await expect(
      inTransaction(() =>
        projectInboxBatch(client, failing, [created[0] as InboxMessage, registered[0] as InboxMessage]),
      ),
    ).rejects.toThrow(/handler failed/);
    // The pooled connection's next transaction sends its own writes only.
    await inTransaction(() => projectInboxBatch(client, scope, [created[1] as InboxMessage]));
  } finally {
    client.release();
  }
  expect(await count('SELECT count(*) AS n FROM document_facts')).toBe(1);
  expect(await count('SELECT count(*) AS n FROM inbox')).toBe(1);
});
