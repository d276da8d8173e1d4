import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { stackEnvironments } from '../../infra/src/stack';
import type { Infrastructure } from '../../infra/src/stack';
import { dropDatabase } from '../../infra/src/postgres';
import { databaseName, serviceNames } from '../../infra/src/services';
import type { ProcessName } from '../../infra/src/services';
import { startServiceProcess, stopServiceProcess, waitUntilHealthy } from '../../infra/src/supervisor';
import type { RunningProcess } from '../../infra/src/supervisor';
import { ProcessSupervisor } from '../../infra/src/process-supervisor';
import type { RestartPolicy } from '../../infra/src/process-supervisor';
import { signDevToken } from '../../infra/src/token';
import { loadInfrastructure } from './infrastructure';
import { freePorts } from './free-port';
import { uniqueSuffix } from './databases';

export type TestStack = {
  infra: Infrastructure;
  gatewayUrl: string;
  ports: Record<ProcessName, number>;
  topicPrefix: string;
  envs: Record<ProcessName, Record<string, string>>;
  token: (claims: { user: string; agency: string; roles: string[]; ttlSeconds?: number }) => Promise<string>;
  restart: (name: ProcessName) => Promise<void>;
  /** Present when the stack runs under the supervisor of `npm start` (option `restartPolicy`). */
  supervisor?: ProcessSupervisor;
  /** What the supervisor said (restarts, crash loops). */
  supervisorLines: string[];
  /** Stops every process (SIGTERM, SIGKILL after 15 s) and cleans up; returns each exit code (null: had to be killed). */
  stop: () => Promise<Partial<Record<ProcessName, number | null>>>;
};

/**
 * The whole system as separate processes (the built services and gateway), with databases,
 * topic prefix, ports and blob directory of its own, so e2e tests run beside each other and
 * beside a running `npm start`.
 */
export async function startTestStack(
  label: string,
  options: {
    kafkaBrokers?: string;
    restartPolicy?: RestartPolicy;
    /** Settings added to a process's environment (e.g. a lifted rate limit for a test that sends thousands). */
    env?: Partial<Record<ProcessName, Record<string, string>>>;
    /** Runs once the stack's databases and blob directory exist and before any process starts (a restore). */
    beforeStart?: (envs: Record<ProcessName, Record<string, string>>) => Promise<void>;
  } = {},
): Promise<TestStack> {
  const infra = loadInfrastructure();
  const suffix = `_t${uniqueSuffix()}`;
  const names = ['gateway', ...serviceNames] as ProcessName[];
  const chosen = await freePorts(names.length);
  const ports = Object.fromEntries(names.map((name, i) => [name, chosen[i] as number])) as Record<ProcessName, number>;
  const blobDir = fs.mkdtempSync(path.join(os.tmpdir(), `vanthu-${label}-blobs-`));
  const envs = await stackEnvironments(infra, {
    suffix,
    ports,
    blobDir,
    ...(options.kafkaBrokers ? { kafkaBrokers: options.kafkaBrokers } : {}),
  });
  for (const [name, extra] of Object.entries(options.env ?? {})) Object.assign(envs[name as ProcessName], extra);
  const running = new Map<ProcessName, RunningProcess>();
  const supervisorLines: string[] = [];
  const supervisor = options.restartPolicy
    ? new ProcessSupervisor((line) => supervisorLines.push(line), options.restartPolicy)
    : undefined;
  const start = async (name: ProcessName): Promise<void> => {
    if (supervisor) {
      const healthUrl = `http://127.0.0.1:${ports[name]}/health/live`;
      return supervisor.start({ name, env: envs[name], healthUrl, logName: `test-${label}${suffix}-${name}` });
    }
    const proc = startServiceProcess(name, envs[name], `test-${label}${suffix}-${name}`);
    running.set(name, proc);
    await waitUntilHealthy(`http://127.0.0.1:${ports[name]}/health/live`, proc, 60_000);
  };
  const stopOne = async (name: ProcessName): Promise<number | null | undefined> => {
    const proc = running.get(name);
    running.delete(name);
    if (!proc) return undefined;
    await stopServiceProcess(proc, 15_000);
    return proc.exited;
  };
  const stop = async (): Promise<Partial<Record<ProcessName, number | null>>> => {
    const codes: Partial<Record<ProcessName, number | null>> = {};
    await supervisor?.stop();
    for (const name of ['gateway', ...serviceNames] as ProcessName[]) {
      const code = await stopOne(name);
      if (code !== undefined) codes[name] = code;
    }
    for (const service of serviceNames) await dropDatabase(databaseName(service, suffix)).catch(() => undefined);
    fs.rmSync(blobDir, { recursive: true, force: true });
    const topicPrefix = envs.documents.KAFKA_TOPIC_PREFIX as string;
    const admin = new Kafka({
      brokers: (options.kafkaBrokers ?? infra.kafka.brokers).split(','),
      logLevel: logLevel.NOTHING,
      connectionTimeout: 1_000,
      retry: { retries: 1 },
    }).admin();
    try {
      await admin.connect();
      const topics = (await admin.listTopics()).filter((t) => t.startsWith(topicPrefix));
      if (topics.length > 0) await admin.deleteTopics({ topics });
    } catch {
      // the broker may be a private one that is already gone
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
    return codes;
  };
  try {
    await options.beforeStart?.(envs);
    await Promise.all(serviceNames.map((name) => start(name)));
    await start('gateway');
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    infra,
    gatewayUrl: `http://127.0.0.1:${ports.gateway}`,
    ports,
    topicPrefix: envs.documents.KAFKA_TOPIC_PREFIX as string,
    envs,
    ...(supervisor ? { supervisor } : {}),
    supervisorLines,
    token: (claims) => signDevToken(infra.devJwt.privateKeyPath, { ...claims, issuer: infra.devJwt.issuer }),
    restart: async (name) => {
      await stopOne(name);
      await start(name);
    },
    stop,
  };
}
