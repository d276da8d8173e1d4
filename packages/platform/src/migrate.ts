import path from 'node:path';
import { runner } from 'node-pg-migrate';
import type { Logger } from './logger';

/** Shared tables every service has (outbox, inbox, idempotency keys). */
export const platformMigrationsDir = path.resolve(__dirname, '..', 'migrations');

/**
 * Applies forward-only SQL migrations: first the platform's, then the service's own, each
 * set tracked in its own table so they never interleave. node-pg-migrate takes an advisory
 * lock, so several instances starting together do not race.
 */
export async function runMigrations(databaseUrl: string, serviceMigrationsDir: string, logger: Logger): Promise<void> {
  const sets = [
    { dir: platformMigrationsDir, table: 'platform_migrations' },
    { dir: serviceMigrationsDir, table: 'service_migrations' },
  ];
  for (const set of sets) {
    await runner({
      databaseUrl,
      dir: set.dir,
      migrationsTable: set.table,
      direction: 'up',
      count: Infinity,
      checkOrder: true,
      singleTransaction: true,
      log: (message: string) => logger.debug({ migrations: set.table }, message),
    });
  }
}
