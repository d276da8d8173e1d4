import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { logsDir, runDir } from './paths';

// Long-lived local components (Kafka, OCSP responder, TSA, services) run as detached
// processes tracked by pid files, so `stack:down` works from another shell and a
// second `npm start` finds what is already running instead of starting it twice.

export type ManagedProcess = {
  name: string;
  command: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
};

const pidFile = (name: string): string => path.join(runDir, `${name}.pid`);
export const logFile = (name: string): string => path.join(logsDir, `${name}.log`);

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export function runningPid(name: string): number | undefined {
  try {
    const pid = Number(fs.readFileSync(pidFile(name), 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 && isAlive(pid) ? pid : undefined;
  } catch {
    return undefined;
  }
}

export function writePidFile(name: string, pid: number): void {
  fs.mkdirSync(runDir, { recursive: true });
  fs.writeFileSync(pidFile(name), String(pid));
}

/** Starts the process detached (own process group) with output appended to its log file. */
export function startDetached(proc: ManagedProcess): number {
  fs.mkdirSync(runDir, { recursive: true });
  fs.mkdirSync(logsDir, { recursive: true });
  const out = fs.openSync(logFile(proc.name), 'a');
  const child = spawn(proc.command, proc.args, {
    cwd: proc.cwd,
    env: proc.env ?? process.env,
    detached: true,
    stdio: ['ignore', out, out],
  });
  fs.closeSync(out);
  if (child.pid === undefined) throw new Error(`could not start ${proc.name} (${proc.command})`);
  child.unref();
  writePidFile(proc.name, child.pid);
  return child.pid;
}

/** Sends SIGTERM to the process group, waits, then SIGKILL; removes the pid file. */
export async function stopProcess(name: string, graceMs = 15_000): Promise<boolean> {
  const pid = runningPid(name);
  try {
    fs.rmSync(pidFile(name), { force: true });
  } catch {
    // the pid file is advisory
  }
  if (pid === undefined) return false;
  const signal = (sig: NodeJS.Signals): void => {
    try {
      process.kill(-pid, sig);
    } catch {
      try {
        process.kill(pid, sig);
      } catch {
        // already gone
      }
    }
  };
  signal('SIGTERM');
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    if (!isAlive(pid)) return true;
    await sleep(100);
  }
  signal('SIGKILL');
  return true;
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `check` until it resolves true or the timeout passes; the error names what was awaited. */
export async function waitFor(
  what: string,
  check: () => Promise<boolean> | boolean,
  timeoutMs: number,
  intervalMs = 250,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (await check()) return;
    } catch {
      // not ready yet
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${Math.round(timeoutMs / 1000)} s waiting for ${what}`);
    await sleep(intervalMs);
  }
}

/** The last lines of a component's log, to put into an error a person can act on. */
export function tailLog(name: string, lines = 30): string {
  try {
    const text = fs.readFileSync(logFile(name), 'utf8');
    return text.split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

// Inter-process lock: `npm start` and `npm test` may run the set-up at the same time; mkdir is atomic.

/**
 * Runs fn while holding a lock directory (mkdir is atomic), so `npm start` and `npm test` started together do
 * not both generate, import or spawn. A lock whose owner process is gone is broken.
 */
export async function withDirLock<T>(lockDir: string, fn: () => Promise<T>, timeoutMs = 300_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  fs.mkdirSync(path.dirname(lockDir), { recursive: true });
  for (;;) {
    try {
      fs.mkdirSync(lockDir);
      fs.writeFileSync(path.join(lockDir, 'pid'), String(process.pid));
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      if (lockIsStale(lockDir)) {
        fs.rmSync(lockDir, { recursive: true, force: true });
        continue;
      }
      if (Date.now() > deadline)
        throw new Error(
          `timed out after ${Math.round(timeoutMs / 1000)} s waiting for lock ${lockDir}; if nothing is setting up, delete it`,
        );
      await sleep(200);
    }
  }
  try {
    return await fn();
  } finally {
    fs.rmSync(lockDir, { recursive: true, force: true });
  }
}

function lockIsStale(lockDir: string): boolean {
  try {
    const pid = Number(fs.readFileSync(path.join(lockDir, 'pid'), 'utf8').trim());
    return !(Number.isInteger(pid) && pid > 0 && isAlive(pid));
  } catch {
    // No pid yet: the owner is between mkdir and writeFile — unless it died right there.
    try {
      return Date.now() - fs.statSync(lockDir).mtimeMs > 30_000;
    } catch {
      return false;
    }
  }
}

/** True when something accepts TCP connections on 127.0.0.1:port. */
export function portAnswers(port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}
