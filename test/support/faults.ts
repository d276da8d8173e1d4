import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startKafka, stopKafka } from '../../infra/src/kafka';
import type { KafkaInstance } from '../../infra/src/kafka';
import type { ProcessName } from '../../infra/src/services';
import { startTestStack } from './test-stack';
import type { TestStack } from './test-stack';
import { freePorts } from './free-port';
import { startPrivatePostgres } from './private-postgres';
import type { PrivatePostgres } from './private-postgres';
import type { ClientResponse } from './gateway-client';

// The fault matrix of issue 16 (ARCHITECTURE.md "Fault matrix"): each flow runs with one fault injected at one
// point — kill -9 of a participating service, a PostgreSQL crash and restart, Kafka stopped and started — and the
// invariants are checked afterwards from the services' databases and the public API, never from what the flow's
// own calls answered.

/** FAULTS_FULL=1 runs every cell of the matrix; by default each file runs a bounded sample of it. */
export const faultsFull = process.env.FAULTS_FULL === '1';

export type Fault = { kind: 'kill'; service: ProcessName } | { kind: 'postgres-restart' } | { kind: 'kafka-restart' };

export type Cell = { fault: Fault; point: string };

export const faultName = (fault: Fault): string => (fault.kind === 'kill' ? `kill -9 ${fault.service}` : fault.kind);

/** The cells to run: every one with FAULTS_FULL=1, otherwise those marked as the sample. */
export function cells(all: (Cell & { sample?: boolean })[]): Cell[] {
  return all.filter((c) => faultsFull || c.sample);
}

export const cellTitle = (cell: Cell): string => `${faultName(cell.fault)} ${cell.point}`;

export type FaultStack = {
  stack: TestStack;
  postgres: PrivatePostgres;
  kafka: KafkaInstance;
  /** Injects the fault now and resolves once the system has what it needs to recover (the killed process is back). */
  inject: (fault: Fault) => Promise<void>;
  close: () => Promise<void>;
};

/**
 * A test stack under the supervisor of `npm start` (a killed service is restarted after half a second), on a
 * PostgreSQL cluster and a Kafka broker of its own, so the test can restart both.
 */
export async function startFaultStack(
  label: string,
  options: { env?: Partial<Record<ProcessName, Record<string, string>>> } = {},
): Promise<FaultStack> {
  const postgres = await startPrivatePostgres(label);
  const [port, controllerPort] = (await freePorts(2)) as [number, number];
  const kafka: KafkaInstance = {
    name: `faults-${label}-${process.pid}`,
    port,
    controllerPort,
    dir: fs.mkdtempSync(path.join(os.tmpdir(), `vanthu-faults-kafka-${label}-`)),
  };
  let stack: TestStack | undefined;
  const close = async (): Promise<void> => {
    try {
      await stack?.stop();
    } finally {
      await stopKafka(kafka).catch(() => undefined);
      fs.rmSync(kafka.dir, { recursive: true, force: true });
      await postgres.close();
    }
  };
  try {
    await startKafka(kafka);
    const env: Partial<Record<ProcessName, Record<string, string>>> = {};
    for (const name of Object.keys({ ...postgres.stackEnv, ...options.env }) as ProcessName[])
      env[name] = { ...(postgres.stackEnv as Record<string, Record<string, string>>)[name], ...options.env?.[name] };
    stack = await startTestStack(label, {
      kafkaBrokers: `127.0.0.1:${port}`,
      restartPolicy: {
        firstDelayMs: 500,
        maxDelayMs: 2_000,
        crashBudget: 50,
        crashWindowMs: 600_000,
        healthTimeoutMs: 120_000,
      },
      env,
    });
  } catch (error) {
    await close().catch(() => undefined);
    throw error;
  }
  const running = stack;
  const inject = async (fault: Fault): Promise<void> => {
    if (fault.kind === 'kill') return killAndAwaitRestart(running, fault.service);
    if (fault.kind === 'postgres-restart') return postgres.restart(2_000);
    await stopKafka(kafka);
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    await startKafka(kafka);
  };
  return { stack: running, postgres, kafka, inject, close };
}

/** SIGKILL (kill -9) of a running instance, then waits until the supervisor has it running again. */
export async function killAndAwaitRestart(stack: TestStack, instance: string): Promise<void> {
  const supervisor = stack.supervisor;
  if (!supervisor) throw new Error('the stack runs without a supervisor');
  const pid = stack.pid(instance);
  if (pid === undefined) throw new Error(`${instance} has no pid`);
  const restartsBefore = supervisor.restarts(instance);
  process.kill(pid, 'SIGKILL');
  const deadline = Date.now() + 180_000;
  while (Date.now() < deadline) {
    if (supervisor.restarts(instance) > restartsBefore && supervisor.state(instance) === 'running') return;
    if (supervisor.state(instance) === 'crash-looping') throw new Error(`${instance} is crash-looping`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`${instance} did not come back within 180 s after kill -9`);
}

/**
 * What an integrator does when the system is in trouble: repeat the same request (same Idempotency-Key) while the
 * answer is a network error, a 5xx or "the first request with this key is still in progress", until it is
 * answered. Returns the first definite answer.
 */
export async function untilAnswered(
  send: () => Promise<ClientResponse>,
  what: string,
  timeoutMs = 240_000,
): Promise<ClientResponse> {
  const deadline = Date.now() + timeoutMs;
  let last = 'nothing';
  while (Date.now() < deadline) {
    try {
      const response = await send();
      const code = (response.body as { code?: string } | undefined)?.code;
      if (response.status < 500 && code !== 'IDEMPOTENCY_REQUEST_IN_PROGRESS') return response;
      last = `${response.status} ${code ?? ''} ${JSON.stringify(response.body)?.slice(0, 300) ?? ''}`;
    } catch (error) {
      last = (error as Error).message;
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`${what}: no answer within ${timeoutMs / 1000} s; last ${last}`);
}

/** Waits until every service answers the gateway's aggregated health again. */
export async function awaitHealthy(stack: TestStack, timeoutMs = 180_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    try {
      const response = await fetch(`${stack.gatewayUrl}/health`, { signal: AbortSignal.timeout(5_000) });
      last = await response.text();
      if (response.status === 200 && !/"down"/.test(last)) return;
    } catch (error) {
      last = (error as Error).message;
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`the stack did not become healthy within ${timeoutMs / 1000} s: ${last.slice(0, 500)}`);
}

/** Fails with the answer's body when its status is not `status` (a problem+json says why). */
export function expectStatus(response: ClientResponse, status: number): void {
  if (response.status !== status)
    throw new Error(
      `expected HTTP ${status}, got ${response.status}: ${JSON.stringify(response.body)?.slice(0, 1500)}`,
    );
}
