import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createLogger, createPool, runMigrations } from '@vanthu/platform';
import type { Logger, Pool } from '@vanthu/platform';
import { createTestDatabase } from './databases';
import type { TestDatabase } from './databases';

export type ServiceFixture = {
  db: TestDatabase;
  pool: Pool;
  logger: Logger;
  tempDir: string;
  close: () => Promise<void>;
};

/** An empty database migrated from nothing, a pool, a quiet logger and a temp directory. */
export async function serviceFixture(label: string, migrationsDir: string): Promise<ServiceFixture> {
  const db = await createTestDatabase(label);
  const logger = createLogger(`test-${label}`, process.env.TEST_LOG_LEVEL ?? 'silent');
  await runMigrations(db.url, migrationsDir, logger);
  const pool = createPool(db.url);
  const tempDir = fs.mkdtempSync(path.join(os.tmpdir(), `vanthu-${label}-`));
  return {
    db,
    pool,
    logger,
    tempDir,
    close: async () => {
      await pool.end();
      await db.drop();
      fs.rmSync(tempDir, { recursive: true, force: true });
    },
  };
}
