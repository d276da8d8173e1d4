// CPU time of the processes a benchmark drives, read from /proc: the comparable figure on a shared machine, where
// rates move with the other work but the CPU an operation costs each process does not.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import pg from 'pg';

/** The pid listening on a local port (Linux `ss`), to read its CPU time from /proc. */
export function pidOnPort(port: number): number {
  const out = execFileSync('ss', ['-Hltnp', `sport = :${port}`], { encoding: 'utf8' });
  return Number(/pid=(\d+)/.exec(out)?.[1] ?? 0);
}

/** User + system CPU milliseconds of a process (fields 14 and 15 of /proc/pid/stat, in clock ticks of 10 ms). */
export function cpuMs(pid: number): number {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/**
 * CPU milliseconds of the PostgreSQL backends serving one database (the server is shared with other work, so only
 * the backends of that database's connections count), by backend pid. A backend opened later counts from zero.
 */
export async function postgresCpuMs(databaseUrl: string): Promise<Map<number, number>> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ pid: number }>(
      'SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()',
    );
    const byPid = new Map<number, number>();
    for (const { pid } of rows) {
      try {
        byPid.set(pid, cpuMs(pid));
      } catch {
        // the backend ended meanwhile
      }
    }
    return byPid;
  } finally {
    await client.end();
  }
}

/** The CPU the given processes spent between two readings, in ms each. */
export async function cpuWindow(
  pids: Record<string, number>,
  databaseUrls: string[],
): Promise<() => Promise<Record<string, number>>> {
  const before = Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, cpuMs(pid)]));
  const postgresBefore = await Promise.all(databaseUrls.map(postgresCpuMs));
  return async () => {
    const after: Record<string, number> = Object.fromEntries(
      Object.entries(pids).map(([name, pid]) => [name, cpuMs(pid) - (before[name] ?? 0)]),
    );
    const postgresAfter = await Promise.all(databaseUrls.map(postgresCpuMs));
    after.postgres = postgresAfter.reduce(
      (sum, backends, i) =>
        sum + [...backends].reduce((s, [pid, ms]) => s + ms - (postgresBefore[i]?.get(pid) ?? 0), 0),
      0,
    );
    return after;
  };
}

/**
 * Waits until documents' search index has caught up with every current version (text extraction runs in the
 * documents process after each upload), so that a benchmark measures its operation, not the indexing of its own
 * set-up. Answers whether it caught up within the time given.
 */
export async function textIndexSettled(documentsDatabaseUrl: string, timeoutMs = 300_000): Promise<boolean> {
  const client = new pg.Client({ connectionString: documentsDatabaseUrl });
  await client.connect();
  try {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const { rows } = await client.query<{ pending: number }>(
        'SELECT count(*)::int AS pending FROM documents WHERE text_version IS DISTINCT FROM current_version',
      );
      if (rows[0]?.pending === 0) return true;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    return false;
  } finally {
    await client.end();
  }
}
