import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { logFile, writePidFile } from './processes';
import { nodeArguments } from './services';
import type { ComponentName } from './services';

export type RunningProcess = { name: ComponentName; child: ChildProcess; exited: Promise<number | null> };

/**
 * Starts one service as a child process with its output appended to `.data/logs/<name>.log`.
 * A child that exits before it is ready fails the start with the tail of its log.
 */
export function startServiceProcess(
  name: ComponentName,
  env: Record<string, string>,
  logName: string = name,
): RunningProcess {
  fs.mkdirSync(path.dirname(logFile(logName)), { recursive: true });
  const out = fs.openSync(logFile(logName), 'a');
  // Own process group: a terminal's Ctrl-C reaches only the supervisor, which stops the
  // services in order; the pid file lets `npm run stack:down` stop them from another shell.
  const childEnv = { ...process.env, OTEL_SERVICE_NAME: `vanthu-${name}`, ...env };
  const child = spawn(process.execPath, nodeArguments(name, childEnv), {
    env: childEnv,
    stdio: ['ignore', out, out],
    detached: true,
  });
  fs.closeSync(out);
  if (child.pid !== undefined) writePidFile(logName, child.pid);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { name, child, exited };
}

export async function waitUntilHealthy(url: string, running: RunningProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exitCode: number | null | undefined;
  void running.exited.then((code) => {
    exitCode = code;
  });
  while (Date.now() < deadline) {
    if (exitCode !== undefined) throw new Error(`${running.name} exited with code ${exitCode} during start-up`);
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(1_000) });
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`${running.name} did not become healthy at ${url} within ${timeoutMs / 1000} s`);
}

export async function stopServiceProcess(running: RunningProcess, graceMs = 10_000): Promise<void> {
  if (running.child.exitCode !== null || running.child.signalCode !== null) return;
  running.child.kill('SIGTERM');
  const timer = setTimeout(() => running.child.kill('SIGKILL'), graceMs);
  await running.exited;
  clearTimeout(timer);
}
