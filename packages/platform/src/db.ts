import pg from 'pg';
import type { Pool, PoolClient } from 'pg';

/** A connection inside an open transaction. Repositories take this, never the pool. */
export type Tx = PoolClient;
export type { Pool };

// Keep numeric/bigint columns as strings only where precision matters; counts (int8) come
// back as numbers because the values we count fit comfortably in 2^53.
pg.types.setTypeParser(20, (value) => Number(value));

export function createPool(
  databaseUrl: string,
  options: {
    max?: number;
    applicationName?: string;
    /** How long a request may wait for a connection (a free one, or a new one being opened); 30 s by default. */
    connectionTimeoutMs?: number;
    onIdleError?: (error: Error) => void;
  } = {},
): Pool {
  const pool = new pg.Pool({
    connectionString: databaseUrl,
    max: options.max ?? 10,
    application_name: options.applicationName,
    // This was a fixed 5 s: on a busy machine opening PostgreSQL connections during a burst took longer and failed
    // requests with a 500. Bursts are bounded by the services' own queues (503 + Retry-After), not by this.
    connectionTimeoutMillis: options.connectionTimeoutMs ?? 30_000,
    idleTimeoutMillis: 30_000,
  });
  // An idle client whose server connection dies (PostgreSQL restarted, connection terminated)
  // is dropped by the pool; without a listener that 'error' event would crash the process.
  // The next query gets a fresh connection or a clear error of its own.
  pool.on('error', (error) => options.onIdleError?.(error));
  // The same for a client that is checked out but has no query running: inside a transaction that waits for another
  // service or the HSM, or the outbox relay waiting for Kafka. Without this listener a PostgreSQL restart crashed
  // documents and exchange (test/e2e/faults-upload-report.e2e.test.ts); with it the client's next query fails, the
  // transaction is rolled back and the broken client is discarded on release.
  pool.on('connect', (client) => client.on('error', (error) => options.onIdleError?.(error)));
  return pool;
}

/**
 * Runs `work` in one transaction. The use case owns the transaction (ARCHITECTURE.md "Conventions", code
 * convention 3): the business change and its outbox row commit or roll back together.
 */
export async function withTransaction<T>(pool: Pool, work: (tx: Tx) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken = false;
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    // A connection that cannot even roll back is gone: it must not go back to the pool.
    broken = await client.query('ROLLBACK').then(
      () => false,
      () => true,
    );
    throw error;
  } finally {
    client.release(broken);
  }
}

/**
 * Runs `work` on a pooled connection without opening a transaction: for a read that is one statement (atomic by
 * itself), where BEGIN and COMMIT would add two round trips to the one that matters.
 */
export async function withConnection<T>(pool: Pool, work: (tx: Tx) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    const result = await work(client);
    client.release();
    return result;
  } catch (error) {
    // An error PostgreSQL answered (it has a severity) leaves the connection usable; any other may have broken it.
    client.release(!(error instanceof pg.DatabaseError));
    throw error;
  }
}

/** Fails fast with a readable reason when PostgreSQL cannot be reached at start. */
export async function checkDatabase(pool: Pool): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('SELECT 1');
  } finally {
    client.release();
  }
}

/** Where a database URL points, without the password, for error messages and logs. */
export function describeDatabaseUrl(databaseUrl: string): string {
  try {
    const url = new URL(databaseUrl);
    url.password = '';
    return url.toString();
  } catch {
    return '(unparseable database url)';
  }
}
