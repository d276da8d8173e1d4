import type { Tx } from '@vanthu/platform';
import { findDefinition } from '../repositories/definitions-repository';
import type { StoredDefinition } from '../repositories/definitions-repository';

// A stored definition version never changes (an upload makes a new version; nothing updates or deletes one, and a
// running process stays on its version), so the versions processes run on are kept in memory after their first read:
// each transition on a process would otherwise read the same row again.
const cache = new Map<string, StoredDefinition>();
const limit = 1000;

/** The definition version a process runs on, as findDefinition finds it for the agency; read once per process. */
export async function definitionOfProcess(
  tx: Tx,
  agencyCode: string,
  definitionId: string,
): Promise<StoredDefinition | undefined> {
  const key = `${agencyCode}\u0000${definitionId}`;
  const known = cache.get(key);
  if (known) return known;
  const stored = await findDefinition(tx, agencyCode, definitionId);
  if (!stored) return undefined;
  if (cache.size >= limit) cache.delete(cache.keys().next().value as string);
  cache.set(key, stored);
  return stored;
}
