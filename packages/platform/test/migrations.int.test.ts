import path from 'node:path';
import pg from 'pg';
import { createLogger, runMigrations } from '../src';
import { createTestDatabase } from '../../../test/support/databases';

const services = ['documents', 'signing', 'routing', 'reporting'];
const logger = createLogger('migrations-test', 'silent');

describe('forward-only migrations from an empty database', () => {
  it.each(services)('%s migrates from nothing and a second run changes nothing', async (service) => {
    const db = await createTestDatabase(`mig_${service}`);
    try {
      const dir = path.resolve(__dirname, '..', '..', '..', 'services', service, 'migrations');
      await runMigrations(db.url, dir, logger);
      const client = new pg.Client({ connectionString: db.url });
      await client.connect();
      try {
        const schema = async () =>
          (
            await client.query(
              "SELECT table_name, column_name, data_type FROM information_schema.columns WHERE table_schema = 'public' ORDER BY 1, 2",
            )
          ).rows;
        const first = await schema();
        expect(first.map((r) => r.table_name)).toEqual(
          expect.arrayContaining(['outbox', 'inbox', 'inbox_dead_letter', 'idempotency_keys']),
        );
        await runMigrations(db.url, dir, logger);
        expect(await schema()).toEqual(first);
      } finally {
        await client.end();
      }
    } finally {
      await db.drop();
    }
  });
});

it('several instances migrating one empty database at once all start, and the schema is applied once', async () => {
  const db = await createTestDatabase('mig_together');
  try {
    const dir = path.resolve(__dirname, '..', '..', '..', 'services', 'routing', 'migrations');
    await Promise.all(Array.from({ length: 4 }, () => runMigrations(db.url, dir, logger)));
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      const applied = await client.query('SELECT name, count(*)::int AS n FROM service_migrations GROUP BY name');
      expect(applied.rows.length).toBeGreaterThan(0);
      expect(applied.rows.every((row: { n: number }) => row.n === 1)).toBe(true);
    } finally {
      await client.end();
    }
  } finally {
    await db.drop();
  }
});
