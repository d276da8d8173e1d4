import fs from 'node:fs';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { run } from './exec';
import { dataPath } from './paths';
import { sleep } from './processes';

export const postgresHost = process.env.PGHOST_VANTHU ?? '127.0.0.1';
export const postgresPort = Number(process.env.PGPORT_VANTHU ?? 5432);
const adminUrl = `postgres://postgres@${postgresHost}:${postgresPort}/postgres`;

async function canConnect(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2_000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** PostgreSQL runs as a machine service; start the cluster when it is stopped. */
export async function ensurePostgres(): Promise<void> {
  if (await canConnect(adminUrl)) return;
  const versions = fs.existsSync('/etc/postgresql') ? fs.readdirSync('/etc/postgresql') : [];
  for (const version of versions) {
    await run('pg_ctlcluster', ['--skip-systemctl-redirect', version, 'main', 'start']).catch(() => undefined);
  }
  for (let i = 0; i < 40; i += 1) {
    if (await canConnect(adminUrl)) return;
    await sleep(250);
  }
  throw new Error(
    `PostgreSQL does not answer at ${postgresHost}:${postgresPort} (tried pg_ctlcluster start for ${versions.join(', ') || 'no cluster'})`,
  );
}

const quoteIdent = (name: string): string => `"${name.replace(/"/g, '""')}"`;

function rolePassword(role: string): string {
  const file = dataPath('secrets', `${role}.pgpass`);
  if (!fs.existsSync(file)) {
    fs.mkdirSync(dataPath('secrets'), { recursive: true, mode: 0o700 });
    fs.writeFileSync(file, randomBytes(18).toString('base64url'), { mode: 0o600 });
  }
  return fs.readFileSync(file, 'utf8').trim();
}

/**
 * One database and one login role per service (ARCHITECTURE.md: no service reads another's tables).
 * Returns the connection URL of each.
 */
export async function ensureServiceDatabase(database: string): Promise<string> {
  const role = database;
  const password = rolePassword(role);
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const roleExists = await client.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [role]);
    if (roleExists.rowCount === 0)
      await client.query(`CREATE ROLE ${quoteIdent(role)} LOGIN PASSWORD '${password.replace(/'/g, "''")}'`);
    const dbExists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (dbExists.rowCount === 0)
      await client.query(
        `CREATE DATABASE ${quoteIdent(database)} OWNER ${quoteIdent(role)} ENCODING 'UTF8' TEMPLATE template0`,
      );
  } finally {
    await client.end();
  }
  return `postgres://${role}:${encodeURIComponent(password)}@${postgresHost}:${postgresPort}/${database}`;
}

/** Drops a database (tests create throw-away ones); terminates leftover connections first. */
export async function dropDatabase(database: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    // Connections that are closing may linger for a moment; wait for them before forcing.
    for (let attempt = 0; ; attempt += 1) {
      try {
        await client.query(`DROP DATABASE IF EXISTS ${quoteIdent(database)}${attempt >= 20 ? ' WITH (FORCE)' : ''}`);
        break;
      } catch (error) {
        if ((error as { code?: string }).code !== '55006' || attempt >= 20) throw error; // 55006: object_in_use
        await sleep(100);
      }
    }
    await client.query(`DROP ROLE IF EXISTS ${quoteIdent(database)}`);
  } finally {
    await client.end();
  }
}
