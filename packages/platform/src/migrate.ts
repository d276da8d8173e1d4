import path from 'node:path';
import { runner } from 'node-pg-migrate';
import type { Logger } from './logger';

/** Shared tables every service has (outbox, inbox, idempotency keys). */
export const platformMigrationsDir = path.resolve(__dirname, '..', 'migrations');

/** How long an instance waits for another instance's migrations before giving up on its start. */
const lockWaitMs = 60_000;

/**
 * Applies forward-only SQL migrations: first the platform's, then the service's own, each
 * set tracked in its own table so they never interleave. node-pg-migrate takes an advisory
 * lock, but refuses at once when another instance holds it ("Another migration is already
 * running"): replicas starting together would then fail their start, so an instance waits for
 * the lock and then finds the migrations applied.
 */
export async function runMigrations(databaseUrl: string, serviceMigrationsDir: string, logger: Logger): Promise<void> {
  const sets = [
    { dir: platformMigrationsDir, table: 'platform_migrations' },
    { dir: serviceMigrationsDir, table: 'service_migrations' },
  ];
  for (const set of sets) {
    await waitingForLock(logger, () =>
      runner({
        databaseUrl,
        dir: set.dir,
        migrationsTable: set.table,
        direction: 'up',
        count: Infinity,
        checkOrder: true,
        singleTransaction: true,
        log: (message: string) => logger.debug({ migrations: set.table }, message),
      }),
    );
  }
}

async function waitingForLock(logger: Logger, migrate: () => Promise<unknown>): Promise<void> {
  const deadline = Date.now() + lockWaitMs;
  for (;;) {
    try {
      await migrate();
      return;
    } catch (error) {
      const locked = /another migration is already running/i.test((error as Error).message);
      if (!locked || Date.now() > deadline) throw error;
      logger.info('another instance is migrating this database; waiting for it');
      await new Promise((resolve) => setTimeout(resolve, 250 + Math.random() * 250));
    }
  }
}
