import { startServiceProcess, stopServiceProcess, waitUntilHealthy } from './supervisor';
import type { RunningProcess } from './supervisor';
import type { ComponentName } from './services';

/**
 * What to do when a process dies on its own: restart it after a delay that doubles with each crash, but give up
 * on a process that crashes more than `crashBudget` times within `crashWindowMs` (a crash loop is a fault for an
 * operator, not something to retry forever). The same numbers go into the systemd units (`systemd-units.ts`).
 */
export type RestartPolicy = {
  firstDelayMs: number;
  maxDelayMs: number;
  crashBudget: number;
  crashWindowMs: number;
  healthTimeoutMs: number;
};

export const defaultRestartPolicy: RestartPolicy = {
  firstDelayMs: 1_000,
  maxDelayMs: 30_000,
  crashBudget: 5,
  crashWindowMs: 10 * 60_000,
  healthTimeoutMs: 60_000,
};

export type SupervisedProcess = {
  name: ComponentName;
  /** Which of the process's replicas this is (`documents-2`); the process name when there is one. */
  instance?: string;
  env: Record<string, string>;
  healthUrl: string;
  /** The log file's name under `.data/logs` (default: the instance name). */
  logName?: string;
};

export type ProcessState = 'starting' | 'running' | 'restarting' | 'crash-looping' | 'stopped';

type Slot = {
  spec: SupervisedProcess;
  state: ProcessState;
  running?: RunningProcess;
  crashes: number[];
  restarts: number;
  timer?: NodeJS.Timeout;
};

/**
 * Runs the stack's processes the way `npm start` does: starts them in order, waits for each to be healthy, and keeps
 * them alive. One crash takes down only the crashed process while it restarts (the gateway answers 503 +
 * Retry-After for its paths meanwhile, see gateway/src/proxy/register-proxies.ts); everything else keeps serving.
 */
export class ProcessSupervisor {
  private readonly slots = new Map<string, Slot>();
  private stopping = false;

  constructor(
    private readonly say: (line: string) => void,
    private readonly policy: RestartPolicy = defaultRestartPolicy,
  ) {}

  /** Starts one process and waits until it is healthy; a process that fails its first start fails the call. */
  async start(spec: SupervisedProcess): Promise<void> {
    const slot: Slot = { spec, state: 'starting', crashes: [], restarts: 0 };
    this.slots.set(spec.instance ?? spec.name, slot);
    await this.launch(slot);
  }

  state(name: string): ProcessState | undefined {
    return this.slots.get(name)?.state;
  }

  /** How many times the supervisor restarted the process after a crash. */
  restarts(name: string): number {
    return this.slots.get(name)?.restarts ?? 0;
  }

  pid(name: string): number | undefined {
    return this.slots.get(name)?.running?.child.pid;
  }

  /** Stops every process in reverse start order; no restart happens from here on. */
  async stop(): Promise<void> {
    this.stopping = true;
    for (const slot of [...this.slots.values()].reverse()) {
      clearTimeout(slot.timer);
      if (slot.running) await stopServiceProcess(slot.running);
      slot.state = 'stopped';
    }
  }

  private async launch(slot: Slot): Promise<void> {
    const { spec } = slot;
    const running = startServiceProcess(spec.name, spec.env, spec.logName ?? spec.instance ?? spec.name);
    slot.running = running;
    void running.exited.then((code) => this.exited(slot, running, code));
    await waitUntilHealthy(spec.healthUrl, running, this.policy.healthTimeoutMs);
    if (slot.running === running && slot.state !== 'stopped') slot.state = 'running';
  }

  private exited(slot: Slot, running: RunningProcess, code: number | null): void {
    if (this.stopping || slot.running !== running || slot.state === 'starting') return;
    const now = Date.now();
    slot.crashes = [...slot.crashes.filter((at) => now - at < this.policy.crashWindowMs), now];
    const signal = running.child.signalCode;
    const how = signal ? `signal ${signal}` : `code ${code}`;
    if (slot.crashes.length > this.policy.crashBudget) {
      slot.state = 'crash-looping';
      this.say(
        `vanthu: ${slot.spec.instance ?? slot.spec.name} exited (${how}) ${slot.crashes.length} times within ` +
          `${Math.round(this.policy.crashWindowMs / 1000)} s; it is crash-looping and will not be restarted ` +
          `(the other services keep running; see its log, fix it and restart vanthu)`,
      );
      return;
    }
    const delay = Math.min(this.policy.firstDelayMs * 2 ** (slot.crashes.length - 1), this.policy.maxDelayMs);
    slot.state = 'restarting';
    this.say(
      `vanthu: ${slot.spec.instance ?? slot.spec.name} exited unexpectedly (${how}); restarting in ${delay / 1000} s`,
    );
    slot.timer = setTimeout(() => {
      if (this.stopping) return;
      slot.restarts += 1;
      this.launch(slot).then(
        () => this.say(`vanthu: ${slot.spec.instance ?? slot.spec.name} is back (restart ${slot.restarts})`),
        (error: unknown) => {
          this.say(`vanthu: ${slot.spec.instance ?? slot.spec.name} did not come back: ${(error as Error).message}`);
          // Alive but never healthy counts as a crash: killing it brings it back under the policy.
          const child = slot.running?.child;
          if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
        },
      );
    }, delay);
  }
}
