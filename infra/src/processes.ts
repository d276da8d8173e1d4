import { spawn } from 'node:child_process';
import fs from 'node:fs';
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
export async function waitFor(what: string, check: () => Promise<boolean> | boolean, timeoutMs: number, intervalMs = 250): Promise<void> {
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
