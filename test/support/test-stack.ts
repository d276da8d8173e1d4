import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { replicableServices, stackEnvironments, stackInstances } from '../../infra/src/stack';
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
import { publishedEventProblems } from '../contract/support/asyncapi-checker';

export type TestStack = {
  infra: Infrastructure;
  gatewayUrl: string;
  ports: Record<ProcessName, number>;
  topicPrefix: string;
  envs: Record<ProcessName, Record<string, string>>;
  token: (claims: { user: string; agency: string; roles: string[]; ttlSeconds?: number }) => Promise<string>;
  /** Restarts one process: a process name, or a replica's instance name (`documents-2`). */
  restart: (name: string) => Promise<void>;
  /** Every process of the stack, replicas included, with the port it listens on. */
  instances: { name: ProcessName; instance: string; port: number }[];
  /** The pid of a running instance, for tests that kill it. */
  pid: (instance: string) => number | undefined;
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
    /** Processes of each replicable service (documents, signing, routing), balanced by the gateway. */
    replicas?: number;
    /** Runs once the stack's databases and blob directory exist and before any process starts (a restore). */
    beforeStart?: (envs: Record<ProcessName, Record<string, string>>) => Promise<void>;
    /** false: the gateway sends no request proofs and services ask none (bench/gateway's A/B of their cost only). */
    requestProofs?: boolean;
  } = {},
): Promise<TestStack> {
  const infra = loadInfrastructure();
  const suffix = `_t${uniqueSuffix()}`;
  const names = ['gateway', ...serviceNames] as ProcessName[];
  // Replicas get free ports too (port + 10 could belong to another test's stack beside this one), chosen in the same
  // call so that no port is handed out twice.
  const extra = Math.max(0, (options.replicas ?? 1) - 1);
  const chosen = await freePorts(names.length + extra * replicableServices.length);
  const spare = chosen.slice(names.length);
  const replicaPorts = Object.fromEntries(
    replicableServices.map((name, i) => [name, spare.slice(i * extra, (i + 1) * extra)]),
  );
  const ports = Object.fromEntries(names.map((name, i) => [name, chosen[i] as number])) as Record<ProcessName, number>;
  const blobDir = fs.mkdtempSync(path.join(os.tmpdir(), `vanthu-${label}-blobs-`));
  const envs = await stackEnvironments(infra, {
    suffix,
    ports,
    blobDir,
    ...(options.kafkaBrokers ? { kafkaBrokers: options.kafkaBrokers } : {}),
  });
  for (const [name, extra] of Object.entries(options.env ?? {})) Object.assign(envs[name as ProcessName], extra);
  if (options.requestProofs === false)
    for (const env of Object.values(envs)) {
      delete env.REQUEST_PROOF_KEYS_FILE;
      delete env.REQUEST_PROOF_MASTER_KEY_FILE;
    }
  const instances = stackInstances(envs, { suffix, ports, blobDir, replicaPorts }, options.replicas ?? 1);
  const instanceOf = (instance: string) => {
    const found = instances.find((i) => i.instance === instance);
    if (!found) throw new Error(`no process ${instance} in this stack`);
    return found;
  };
  const running = new Map<string, RunningProcess>();
  const supervisorLines: string[] = [];
  const supervisor = options.restartPolicy
    ? new ProcessSupervisor((line) => supervisorLines.push(line), options.restartPolicy)
    : undefined;
  const start = async (instance: string): Promise<void> => {
    const { name, port, env } = instanceOf(instance);
    const healthUrl = `http://127.0.0.1:${port}/health/live`;
    const logName = `test-${label}${suffix}-${instance}`;
    if (supervisor) return supervisor.start({ name, instance, env, healthUrl, logName });
    const proc = startServiceProcess(name, env, logName);
    running.set(instance, proc);
    await waitUntilHealthy(healthUrl, proc, 60_000);
  };
  const stopOne = async (instance: string): Promise<number | null | undefined> => {
    const proc = running.get(instance);
    running.delete(instance);
    if (!proc) return undefined;
    await stopServiceProcess(proc, 15_000);
    return proc.exited;
  };
  // A test may stop its stack itself and again in afterAll: the second call returns the first one's outcome
  // (its databases are gone by then, so checking their outboxes again could only fail).
  let stopped: Promise<Partial<Record<ProcessName, number | null>>> | undefined;
  const stop = (): Promise<Partial<Record<ProcessName, number | null>>> => (stopped ??= stopOnce());
  const stopOnce = async (): Promise<Partial<Record<ProcessName, number | null>>> => {
    const codes: Partial<Record<ProcessName, number | null>> = {};
    await supervisor?.stop();
    for (const { name, instance } of [...instances].reverse()) {
      const code = await stopOne(instance);
      if (code !== undefined && instance === name) codes[name] = code;
    }
    // Every event the stack's services wrote is checked against docs/asyncapi.json before the databases go.
    const eventProblems = await publishedEventProblems(
      serviceNames.map((service) => envs[service].DATABASE_URL as string),
    ).catch((error: unknown) => [`the outboxes could not be read: ${(error as Error).message}`]);
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
    if (eventProblems.length > 0)
      throw new Error(`events that do not match docs/asyncapi.json:\n${eventProblems.slice(0, 20).join('\n')}`);
    return codes;
  };
  try {
    await options.beforeStart?.(envs);
    await Promise.all(instances.filter((i) => i.name !== 'gateway').map((i) => start(i.instance)));
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
    instances: instances.map(({ name, instance, port }) => ({ name, instance, port })),
    pid: (instance) => supervisor?.pid(instance) ?? running.get(instance)?.child.pid,
    stop,
  };
}
