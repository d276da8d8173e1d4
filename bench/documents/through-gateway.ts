// Registrations through the gateway: the built services and gateway as separate processes (the e2e stack),
// N documents uploaded, then N registrations sent at once in one register-year, as a records office's burst.
import path from 'node:path';
import pg from 'pg';
import { startTestStack } from '../../test/support/test-stack';
import { gatewayClient } from '../../test/support/gateway-client';
import { makePdf } from '../../test/support/pdfs';
import { cpuMs, pidOnPort, postgresCpuMs, textIndexSettled } from '../support/process-cpu';

export type GatewayFigures = {
  inFlight: number;
  registrationsPerSecond: number;
  medianMs: number;
  p95Ms: number;
  refused503: number;
  otherFailures: string[];
  registered: number;
  gapFree: boolean;
  /** Transactions the registrations committed in (rows one transaction wrote share its xmin): the groups. */
  commitGroups: number;
  /** CPU time each process spent per registration during the burst (where the time goes). */
  cpuMsPerRegistration: { gateway: number; documents: number; postgres: number };
  /** Whether the text extraction of the uploads had finished when the burst began (it is waited for, 120 s at most). */
  textIndexSettledBeforeBurst: boolean;
};

/** How many transactions committed the benchmark's registrations (its database numbers only the burst's register). */
async function countCommitGroups(databaseUrl: string): Promise<number> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ groups: number }>(
      'SELECT count(DISTINCT xmin::text)::int AS groups FROM registrations',
    );
    return rows[0]?.groups ?? 0;
  } finally {
    await client.end();
  }
}

/** With CPU_PROFILE_DIR set, the gateway and documents are profiled over exactly the burst (the preload's SIGUSR2). */
const profileDir = process.env.CPU_PROFILE_DIR;
const toggleProfiles = (pids: number[]): void => {
  if (profileDir) for (const pid of pids) process.kill(pid, 'SIGUSR2');
};

const agency = '000.00.00.H99';
// The gateway allows each user 600 requests a minute; the burst is shared by clerks as an office would.
const clerkCount = 20;

const quantile = (values: number[], q: number): number =>
  [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(values.length * q))] ?? 0;

/** Settings given to the documents process for the run (its pool, its numbering queue), to compare configurations. */
export type GatewayRunOptions = { documentsEnv?: Record<string, string> };

export async function registrationsThroughGateway(
  total: number,
  options: GatewayRunOptions = {},
): Promise<GatewayFigures> {
  if (profileDir) {
    process.env.NODE_OPTIONS = `--require ${path.join(__dirname, '..', 'support', 'cpu-profile-preload.cjs')}`;
  }
  const stack = await startTestStack('benchgw', { env: { documents: options.documentsEnv ?? {} } });
  delete process.env.NODE_OPTIONS;
  try {
    const admin = gatewayClient(stack.gatewayUrl, await stack.token({ user: 'quan-tri', agency, roles: ['admin'] }));
    const json = (value: unknown) => ({ body: Buffer.from(JSON.stringify(value)), contentType: 'application/json' });
    const imported = await admin.call(
      'POST',
      '/v1/organisations/imports',
      json({ organisations: [{ code: agency, name: 'Ủy ban nhân dân tỉnh', abbreviation: 'UBND' }] }),
    );
    if (imported.status !== 200) throw new Error(`directory import: ${imported.status}`);
    const clerks = await Promise.all(
      Array.from({ length: clerkCount }, async (_, i) =>
        gatewayClient(stack.gatewayUrl, await stack.token({ user: `van-thu-${i}`, agency, roles: ['clerk'] })),
      ),
    );
    const register = await clerks[0]!.call('POST', '/v1/registers', json({ name: 'Sổ đi', direction: 'outgoing' }));
    if (register.status !== 201) throw new Error(`register: ${register.status}`);
    const registerId = (register.body as { id: string }).id;

    const pdf = await makePdf('bench-gateway', 1);
    const ids: string[] = [];
    for (let i = 0; i < total; i += 20) {
      const batch = Array.from({ length: Math.min(20, total - i) }, (_, j) => i + j);
      for (const created of await Promise.all(
        batch.map((n) =>
          clerks[n % clerkCount]!.uploadDocument(pdf, {
            direction: 'outgoing',
            subject: `Quyết định ${n}`,
            typeCode: 'QĐ',
          }),
        ),
      )) {
        if (created.status !== 201) throw new Error(`upload: ${created.status}`);
        ids.push((created.body as { id: string }).id);
      }
    }

    // The uploads above queue text extraction (pdf.js, in the documents process); it is left to finish first, so the
    // burst measures registration, not the indexing of the benchmark's own uploads.
    const indexed = await textIndexSettled(stack.envs.documents.DATABASE_URL as string, 120_000);

    const body = json({ registerId });
    const latencies: number[] = [];
    const pids = { gateway: pidOnPort(stack.ports.gateway), documents: pidOnPort(stack.ports.documents) };
    const databaseUrl = stack.envs.documents.DATABASE_URL as string;
    const postgresBefore = await postgresCpuMs(databaseUrl);
    const cpuBefore = { gateway: cpuMs(pids.gateway), documents: cpuMs(pids.documents) };
    toggleProfiles([pids.gateway, pids.documents]);
    const started = performance.now();
    const responses = await Promise.all(
      ids.map(async (id, i) => {
        const sent = performance.now();
        const response = await clerks[i % clerkCount]!.call('POST', `/v1/documents/${id}/registration`, body);
        latencies.push(performance.now() - sent);
        return response;
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    toggleProfiles([pids.gateway, pids.documents]);
    const postgresAfter = await postgresCpuMs(databaseUrl);
    const cpuMsPerRegistration = {
      gateway: (cpuMs(pids.gateway) - cpuBefore.gateway) / total,
      documents: (cpuMs(pids.documents) - cpuBefore.documents) / total,
      postgres: [...postgresAfter].reduce((sum, [pid, ms]) => sum + ms - (postgresBefore.get(pid) ?? 0), 0) / total,
    };
    const commitGroups = await countCommitGroups(databaseUrl);
    const numbers = responses
      .filter((r) => r.status === 201)
      .map((r) => (r.body as { document: { registration: { number: number } } }).document.registration.number)
      .sort((a, b) => a - b);
    return {
      inFlight: total,
      registrationsPerSecond: numbers.length / seconds,
      medianMs: quantile(latencies, 0.5),
      p95Ms: quantile(latencies, 0.95),
      refused503: responses.filter((r) => r.status === 503).length,
      otherFailures: responses
        .filter((r) => r.status !== 201 && r.status !== 503)
        .map((r) => `${r.status} ${JSON.stringify(r.body)}`),
      registered: numbers.length,
      gapFree: numbers.every((n, i) => n === i + 1),
      commitGroups,
      cpuMsPerRegistration,
      textIndexSettledBeforeBurst: indexed,
    };
  } finally {
    await stack.stop();
  }
}
