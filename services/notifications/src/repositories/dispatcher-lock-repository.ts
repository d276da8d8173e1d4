import type { Tx } from '@vanthu/platform';

/** One dispatcher per database at a time ("whkd"), as one outbox relay: the others stand by and take over. */
const dispatcherLockKey = 0x7768_6b64;

/** Takes the dispatcher lock for the session if no other session holds it. */
export async function tryDispatcherLock(session: Tx): Promise<boolean> {
  const { rows } = await session.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1) AS ok', [dispatcherLockKey]);
  return rows[0]?.ok === true;
}

export async function releaseDispatcherLock(session: Tx): Promise<void> {
  await session.query('SELECT pg_advisory_unlock($1)', [dispatcherLockKey]);
}
