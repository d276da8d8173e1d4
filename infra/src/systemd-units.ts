import fs from 'node:fs';
import path from 'node:path';
import { defaultRestartPolicy } from './process-supervisor';
import type { RestartPolicy } from './process-supervisor';
import { nodeArguments, serviceNames } from './services';
import type { ProcessName } from './services';
import { repoRoot } from './paths';

/**
 * systemd units for a production host, generated from the same process table and restart policy as `npm start`
 * (process-supervisor.ts), so the two never disagree: a unit per process, restarted on failure, given up after
 * the same crash budget, and a `vanthu.target` that starts and stops them together. Each unit reads its
 * environment from `<name>.env` beside it (mode 0600: it holds database passwords and key paths).
 */
export type SystemdUnitsInput = {
  envs: Record<ProcessName, Record<string, string>>;
  outDir: string;
  nodePath?: string;
  user?: string;
  policy?: RestartPolicy;
};

const unitName = (name: ProcessName): string => `vanthu-${name}.service`;

/** A value for an EnvironmentFile line: double-quoted, with the backslash escapes systemd.exec(5) documents. */
function environmentValue(key: string, value: string): string {
  if (/[\r\n]/.test(value)) throw new Error(`${key}: a multi-line value cannot go into an EnvironmentFile`);
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

function unitText(name: ProcessName, input: SystemdUnitsInput, policy: RestartPolicy): string {
  const node = input.nodePath ?? process.execPath;
  // The gateway is started last so that its health check finds every service (as `npm start` orders them).
  const after = name === 'gateway' ? serviceNames.map(unitName).join(' ') : 'postgresql.service';
  return [
    '[Unit]',
    `Description=vanthu ${name}`,
    `After=network-online.target ${after}`,
    'Wants=network-online.target',
    'PartOf=vanthu.target',
    // The crash budget: more than crashBudget failures within crashWindow and systemd stops restarting it.
    `StartLimitIntervalSec=${Math.round(policy.crashWindowMs / 1000)}`,
    `StartLimitBurst=${policy.crashBudget}`,
    '',
    '[Service]',
    'Type=simple',
    ...(input.user ? [`User=${input.user}`] : []),
    `WorkingDirectory=${repoRoot}`,
    `EnvironmentFile=${path.join(input.outDir, `${name}.env`)}`,
    `ExecStart=${node} ${nodeArguments(name, input.envs[name]).join(' ')}`,
    'Restart=on-failure',
    // systemd 252 (Debian 12) has no RestartSteps/RestartMaxDelaySec; the supervisor's backoff starts here.
    `RestartSec=${Math.max(1, Math.round(policy.firstDelayMs / 1000))}`,
    'KillSignal=SIGTERM',
    'TimeoutStopSec=15',
    'NoNewPrivileges=yes',
    'PrivateTmp=yes',
    '',
    '[Install]',
    'WantedBy=vanthu.target',
    '',
  ].join('\n');
}

/** Writes the units, their environment files and vanthu.target into outDir; returns the files written. */
export function writeSystemdUnits(input: SystemdUnitsInput): string[] {
  const policy = input.policy ?? defaultRestartPolicy;
  fs.mkdirSync(input.outDir, { recursive: true });
  const names: ProcessName[] = [...serviceNames, 'gateway'];
  const written: string[] = [];
  for (const name of names) {
    const envFile = path.join(input.outDir, `${name}.env`);
    const lines = Object.entries(input.envs[name]).map(([key, value]) => `${key}=${environmentValue(key, value)}`);
    fs.writeFileSync(envFile, `${lines.join('\n')}\n`, { mode: 0o600 });
    fs.chmodSync(envFile, 0o600);
    const unitFile = path.join(input.outDir, unitName(name));
    fs.writeFileSync(unitFile, unitText(name, input, policy));
    written.push(envFile, unitFile);
  }
  const target = path.join(input.outDir, 'vanthu.target');
  fs.writeFileSync(
    target,
    [
      '[Unit]',
      'Description=vanthu (every service and the gateway)',
      `Wants=${names.map(unitName).join(' ')}`,
      '',
      '[Install]',
      'WantedBy=multi-user.target',
      '',
    ].join('\n'),
  );
  written.push(target);
  return written;
}
