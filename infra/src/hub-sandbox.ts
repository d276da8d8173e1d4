import { randomBytes, X509Certificate } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { ProcessSupervisor, SupervisedProcess } from './process-supervisor';
import type { Infrastructure } from './stack';

// The hub sandbox as a component of `npm start` (services/exchange/src/hub-sandbox): a VXP, LGSP and Bkav hub on
// 127.0.0.1:3190 with every agency whose seal this instance holds registered by its mã định danh, plus one
// integrator's agency that lives only at the hub, so that an integrator can point their own adapter at it and
// exchange with this instance. Exchange is given the hub's address and the local agencies' accounts, and polls
// them like a real hub's. The accounts' secrets are made once and kept under .data/hub-sandbox (mode 0600).

export const hubSandboxPort = 3190;

/** The agency an integrator's own system plays at the sandbox hub (its account is in integrator-account.json). */
export const integratorAgency = { code: '000.00.90.H99', name: 'Hệ thống tích hợp thử nghiệm' };

type Account = { code: string; name: string; systemId: string; secret: string };

const organName = (certPath: string): string => {
  const subject = new X509Certificate(fs.readFileSync(certPath)).subject;
  const field = (key: string) =>
    subject
      .split('\n')
      .find((line) => line.startsWith(`${key}=`))
      ?.slice(key.length + 1);
  return field('O') ?? field('CN') ?? 'Cơ quan';
};

export type HubSandboxSetup = {
  /** The sandbox's process, as the supervisor starts it. */
  process: SupervisedProcess;
  /** What exchange needs to use it (HUB_URL, HUB_NAME, HUB_CREDENTIALS_FILE). */
  exchangeEnv: Record<string, string>;
  agencies: Account[];
  dir: string;
};

/** Writes (idempotently) the sandbox's agencies and exchange's accounts under `dir`; secrets are kept across runs. */
export function ensureHubSandbox(infra: Infrastructure, options: { dir: string; port?: number }): HubSandboxSetup {
  const port = options.port ?? hubSandboxPort;
  const dir = options.dir;
  fs.mkdirSync(path.join(dir, 'messages'), { recursive: true });
  const agenciesFile = path.join(dir, 'agencies.json');
  const previous: Account[] = fs.existsSync(agenciesFile)
    ? (JSON.parse(fs.readFileSync(agenciesFile, 'utf8')) as Account[])
    : [];
  const account = (code: string, name: string): Account => {
    const kept = previous.find((a) => a.code === code);
    return kept ?? { code, name, systemId: `vanthu-${code}`, secret: randomBytes(24).toString('hex') };
  };
  const local = [...new Map(infra.hsm.seals.map((s) => [s.agencyCode, s.certPath])).entries()].map(([code, cert]) =>
    account(code, organName(cert)),
  );
  const integrator = account(integratorAgency.code, integratorAgency.name);
  const agencies = [...local, integrator];
  const write = (file: string, value: unknown) => {
    fs.writeFileSync(file, `${JSON.stringify(value, null, 2)}\n`, { mode: 0o600 });
    fs.chmodSync(file, 0o600);
  };
  write(agenciesFile, agencies);
  const credentialsFile = path.join(dir, 'exchange-accounts.json');
  write(
    credentialsFile,
    local.map((a) => ({ agencyCode: a.code, systemId: a.systemId, secret: a.secret })),
  );
  write(path.join(dir, 'integrator-account.json'), {
    hubUrl: `http://127.0.0.1:${port}`,
    agencyCode: integrator.code,
    systemId: integrator.systemId,
    secret: integrator.secret,
  });
  return {
    process: {
      name: 'hub-sandbox',
      env: {
        HUB_SANDBOX_HOST: '127.0.0.1',
        HUB_SANDBOX_PORT: String(port),
        HUB_SANDBOX_AGENCIES_FILE: agenciesFile,
        HUB_SANDBOX_DATA_DIR: path.join(dir, 'messages'),
      },
      healthUrl: `http://127.0.0.1:${port}/health/live`,
    },
    exchangeEnv: {
      HUB_URL: `http://127.0.0.1:${port}`,
      HUB_NAME: 'hub-sandbox',
      HUB_CREDENTIALS_FILE: credentialsFile,
    },
    agencies,
    dir,
  };
}

/** What `npm start` does: sets the sandbox up and starts it under the supervisor, waiting until it answers. */
export async function startHubSandbox(
  supervisor: ProcessSupervisor,
  infra: Infrastructure,
  options: { dir: string; port?: number; logName?: string },
): Promise<HubSandboxSetup> {
  const hub = ensureHubSandbox(infra, options);
  await supervisor.start({ ...hub.process, ...(options.logName ? { logName: options.logName } : {}) });
  return hub;
}
