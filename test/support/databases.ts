import { randomBytes } from 'node:crypto';
import { dropDatabase, ensureServiceDatabase } from '../../infra/src/postgres';

export type TestDatabase = { name: string; url: string; drop: () => Promise<void> };

/** A fresh, empty database of its own, so every test file starts from nothing and runs in parallel. */
export async function createTestDatabase(label: string): Promise<TestDatabase> {
  const name = `vt_test_${label}_${randomBytes(4).toString('hex')}`;
  const url = await ensureServiceDatabase(name);
  return { name, url, drop: () => dropDatabase(name) };
}

export const uniqueSuffix = (): string => randomBytes(4).toString('hex');
