import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { entryPoint } from '../../infra/src/services';
import type { ProcessName } from '../../infra/src/services';
import { stackEnvironments } from '../../infra/src/stack';
import { dropDatabase } from '../../infra/src/postgres';
import { databaseName, serviceNames } from '../../infra/src/services';
import { loadInfrastructure } from '../support/infrastructure';
import { freePort, freePorts } from '../support/free-port';
import { uniqueSuffix } from '../support/databases';

// A service that cannot start properly must say why and exit non-zero, never half-start.
type Outcome = { code: number | null; stderr: string; listening: boolean };

function runUntilExit(name: ProcessName, env: Record<string, string>, timeoutMs = 30_000): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [entryPoint(name)], {
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    let stdout = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(
        new Error(`${name} did not exit within ${timeoutMs} ms; it should have refused to start. stderr: ${stderr}`),
      );
    }, timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr, listening: /ready"|Server listening/.test(stdout) });
    });
  });
}

let envs: Awaited<ReturnType<typeof stackEnvironments>>;
const suffix = `_t${uniqueSuffix()}`;
const blobDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vanthu-startup-'));

beforeAll(async () => {
  const [gateway, documents, signing, routing, reporting, exchange, notifications] = (await freePorts(7)) as [
    number,
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const ports = { gateway, documents, signing, routing, reporting, exchange, notifications };
  envs = await stackEnvironments(loadInfrastructure(), { suffix, ports, blobDir });
});
afterAll(async () => {
  for (const service of serviceNames) await dropDatabase(databaseName(service, suffix));
  fs.rmSync(blobDir, { recursive: true, force: true });
});

describe('refusing to start', () => {
  it('documents exits 1 naming PostgreSQL when the database is unreachable', async () => {
    const outcome = await runUntilExit('documents', {
      ...envs.documents,
      DATABASE_URL: 'postgres://nobody:secret@127.0.0.1:1/none',
      STARTUP_TIMEOUT_MS: '2000',
    });
    expect(outcome.code).toBe(1);
    expect(outcome.stderr).toMatch(/cannot reach PostgreSQL at postgres:\/\/nobody@127\.0\.0\.1:1\/none/);
    expect(outcome.stderr).not.toContain('secret');
    expect(outcome.listening).toBe(false);
  });

  it('reporting exits 1 naming Kafka when the broker is unreachable', async () => {
    const outcome = await runUntilExit('reporting', {
      ...envs.reporting,
      KAFKA_BROKERS: `127.0.0.1:${await freePort()}`,
      STARTUP_TIMEOUT_MS: '2000',
    });
    expect(outcome.code).toBe(1);
    expect(outcome.stderr).toMatch(/cannot reach Kafka at 127\.0\.0\.1:\d+/);
    expect(outcome.listening).toBe(false);
  });

  it('routing exits 2 listing every invalid setting', async () => {
    const { DATABASE_URL: _omitted, ...rest } = envs.routing;
    const outcome = await runUntilExit('routing', { ...rest, PORT: 'not-a-port', KAFKA_BROKERS: 'no port here' });
    expect(outcome.code).toBe(2);
    expect(outcome.stderr).toContain('routing: invalid configuration, refusing to start');
    for (const name of ['DATABASE_URL', 'PORT', 'KAFKA_BROKERS']) expect(outcome.stderr).toContain(name);
  });

  it('signing exits 1 when the HSM PIN is wrong, without printing it', async () => {
    const pinFile = path.join(blobDir, 'wrong-pin');
    fs.writeFileSync(pinFile, '99999999');
    const outcome = await runUntilExit('signing', { ...envs.signing, HSM_PIN_FILE: pinFile });
    expect(outcome.code).toBe(1);
    expect(outcome.stderr).toMatch(/cannot log in to token vanthu-seals: the PIN is wrong/);
    expect(outcome.stderr).not.toContain('99999999');
  });

  it('the gateway exits 2 on an issuer list it cannot use', async () => {
    const outcome = await runUntilExit('gateway', { ...envs.gateway, JWT_ISSUERS: '[{"issuer":"x"}]' });
    expect(outcome.code).toBe(2);
    expect(outcome.stderr).toMatch(/JWT_ISSUERS\[0\] needs an issuer and exactly one of/);
  });
});
