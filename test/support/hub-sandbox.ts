import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startHubSandbox } from '../../infra/src/hub-sandbox';
import type { HubSandboxSetup } from '../../infra/src/hub-sandbox';
import { ProcessSupervisor } from '../../infra/src/process-supervisor';
import { loadInfrastructure } from './infrastructure';
import { freePort } from './free-port';

/**
 * The hub sandbox as `npm start` runs it (the built sandbox under the same supervisor, infra/src/hub-sandbox.ts), with
 * a port, folder and log name of its own so that it runs beside a running `npm start` and other tests' hubs.
 */
export async function startTestHubSandbox(label: string): Promise<{ hub: HubSandboxSetup; stop: () => Promise<void> }> {
  const supervisor = new ProcessSupervisor(() => undefined, {
    firstDelayMs: 500,
    maxDelayMs: 500,
    crashBudget: 3,
    crashWindowMs: 600_000,
    healthTimeoutMs: 60_000,
  });
  const hub = await startHubSandbox(supervisor, loadInfrastructure(), {
    dir: fs.mkdtempSync(path.join(os.tmpdir(), `vanthu-hub-${label}-`)),
    port: await freePort(),
    logName: `hub-sandbox-${label}`,
  });
  return {
    hub,
    stop: async () => {
      await supervisor.stop();
      fs.rmSync(hub.dir, { recursive: true, force: true });
    },
  };
}
