import path from 'node:path';
import pg from 'pg';
import { createPool, withTransaction } from '../src/db';
import { serviceFixture } from '../../../test/support/service-fixture';
import type { ServiceFixture } from '../../../test/support/service-fixture';

// The fault matrix found this (test/e2e/faults-upload-report.e2e.test.ts): when PostgreSQL restarted, a pool client
// that was checked out but had no query running — a transaction waiting for another service, the outbox relay
// waiting for Kafka — emitted 'error' with no listener, and documents and exchange crashed. Here the server side of
// such a connection is terminated (as a restart does to every connection) while the transaction waits.

let fixture: ServiceFixture;
beforeAll(async () => {
  fixture = await serviceFixture('connloss', path.join(__dirname, 'empty-migrations'));
});
afterAll(async () => fixture?.close());

it('a transaction whose connection dies while it waits fails, the process stays up and the pool recovers', async () => {
  const lost: Error[] = [];
  const pool = createPool(fixture.db.url, { max: 2, onIdleError: (error) => lost.push(error) });
  const uncaught: unknown[] = [];
  const onUncaught = (error: unknown) => uncaught.push(error);
  process.prependListener('uncaughtException', onUncaught);
  const admin = new pg.Client({ connectionString: fixture.db.url });
  await admin.connect();
  try {
    const failed = withTransaction(pool, async (tx) => {
      const { rows } = await tx.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
      await admin.query('SELECT pg_terminate_backend($1)', [rows[0]?.pid]);
      // Waiting for something else with no query on the connection, as a use case calling documents does.
      await new Promise((resolve) => setTimeout(resolve, 500));
      await tx.query('SELECT 1');
    });
    await expect(failed).rejects.toThrow();
    expect(uncaught).toEqual([]);
    expect(lost.length).toBeGreaterThanOrEqual(1);
    // The broken client was discarded: the next transactions get working connections.
    for (let i = 0; i < 3; i += 1)
      expect(await withTransaction(pool, async (tx) => (await tx.query('SELECT 1 AS one')).rows[0])).toEqual({
        one: 1,
      });
  } finally {
    process.removeListener('uncaughtException', onUncaught);
    await admin.end();
    await pool.end();
  }
});
