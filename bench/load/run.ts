// Mixed load (issue 16 item 5): simulated users of one agency's records office work through the gateway at once for
// a fixed time — upload, search, register, sign, validate, read in the proportions of an office's day — against the
// built services as separate processes. Reported: p50/p99 per operation, every status class, the 5xx (goal zero),
// and, after the run, a check that no acknowledged write was lost (every 201 upload readable, every registration's
// number present and gap-free, every 201 signature listed). The services' /metrics before and after the run say
// where the time went (CPU seconds per process, queues, outbox backlog, event-loop lag).
// Usage (infrastructure up, `npx tsc -b tsconfig.build.json` first):
//   VANTHU_INFRASTRUCTURE=… npx tsx bench/load/run.ts [--users 50] [--seconds 60]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startTestStack } from '../../test/support/test-stack';
import { gatewayClient, json } from '../../test/support/gateway-client';
import type { ClientResponse } from '../../test/support/gateway-client';
import { makePdf } from '../../test/support/pdfs';
import { loadInfrastructure } from '../../test/support/infrastructure';
import { metricDelta, readMetrics, watchPeaks } from './metrics';
import type { MetricSample } from './metrics';

const args = process.argv.slice(2);
const option = (name: string, fallback: number): number => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) || fallback : fallback;
};
const users = option('--users', 50);
const seconds = option('--seconds', 60);
/** A person pauses between actions (reading, typing); 0.2–1 s here, so 50 users are a busy office, not idle. */
const thinkMs = { min: option('--think-min-ms', 200), max: option('--think-max-ms', 1000) };

type Operation = 'upload' | 'search' | 'register' | 'sign' | 'validate' | 'read';
/**
 * How often each action comes in a records office's day: reading and searching dominate, then new drafts, their
 * registration, signing and the checks of signed files.
 */
const mix: [Operation, number][] = [
  ['read', 35],
  ['search', 20],
  ['upload', 15],
  ['register', 12],
  ['sign', 10],
  ['validate', 8],
];

const words = ['quyết định', 'kế hoạch', 'báo cáo', 'chuyển đổi số', 'nông thôn mới', 'an toàn thông tin'];
const queries = ['quyet dinh', 'ke hoach', 'bao cao', 'chuyen doi so', 'nong thon'];

type Sample = { operation: Operation; ms: number; status: number };

const quantile = (values: number[], q: number): number =>
  [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(values.length * q))] ?? 0;

function pick<T>(items: T[]): T | undefined {
  return items[Math.floor(Math.random() * items.length)];
}

function chooseOperation(): Operation {
  const total = mix.reduce((sum, [, weight]) => sum + weight, 0);
  let roll = Math.random() * total;
  for (const [operation, weight] of mix) {
    roll -= weight;
    if (roll < 0) return operation;
  }
  return 'read';
}

async function main(): Promise<void> {
  const infra = loadInfrastructure();
  // The agency whose seal the HSM holds, so that its clerks can sign attachments.
  const agency = infra.hsm.seals[0]?.agencyCode;
  if (!agency) throw new Error('the infrastructure has no HSM seal');
  const loadAtStart = os.loadavg();
  const stack = await startTestStack('benchload');
  try {
    const admin = gatewayClient(stack.gatewayUrl, await stack.token({ user: 'quan-tri', agency, roles: ['admin'] }));
    const imported = await admin.call(
      'POST',
      '/v1/organisations/imports',
      json({ organisations: [{ code: agency, name: 'Ủy ban nhân dân tỉnh Thử Nghiệm', abbreviation: 'UBND' }] }),
    );
    if (imported.status !== 200) throw new Error(`directory import: ${imported.status}`);
    const clerks = await Promise.all(
      Array.from({ length: users }, async (_, i) =>
        gatewayClient(stack.gatewayUrl, await stack.token({ user: `van-thu-${i}`, agency, roles: ['clerk'] })),
      ),
    );
    const register = await clerks[0]!.call(
      'POST',
      '/v1/registers',
      json({ name: 'Sổ văn bản đi', direction: 'outgoing' }),
    );
    if (register.status !== 201) throw new Error(`register: ${register.status}`);
    const registerId = (register.body as { id: string }).id;
    const pdfs = await Promise.all(Array.from({ length: 8 }, (_, i) => makePdf(`tai lieu ${i}`, 1 + (i % 3))));

    // What the run acknowledged, checked afterwards: a write answered 2xx must be there.
    const uploaded: string[] = [];
    const drafts: string[] = [];
    const registered = new Map<string, number>();
    const signed = new Map<string, number>();
    const signedDocuments: string[] = [];
    // A few documents exist before the first user starts, so that reads and searches have something to find.
    for (let i = 0; i < 20; i += 1) {
      const created = await clerks[i % users]!.uploadDocument(pdfs[i % pdfs.length] as Buffer, {
        direction: 'outgoing',
        subject: `${words[i % words.length]} số ${i} năm 2026`,
        typeCode: 'QĐ',
      });
      if (created.status !== 201) throw new Error(`seed upload: ${created.status}`);
      uploaded.push((created.body as { id: string }).id);
      drafts.push((created.body as { id: string }).id);
    }

    const operations: Record<
      Operation,
      (client: ReturnType<typeof gatewayClient>, n: number) => Promise<ClientResponse>
    > = {
      upload: async (client, n) => {
        const response = await client.uploadDocument(pdfs[n % pdfs.length] as Buffer, {
          direction: 'outgoing',
          subject: `${words[n % words.length]} về việc triển khai nhiệm vụ ${n}`,
          typeCode: 'QĐ',
        });
        if (response.status === 201) {
          const id = (response.body as { id: string }).id;
          uploaded.push(id);
          drafts.push(id);
        }
        return response;
      },
      search: (client) => client.get(`/v1/documents?q=${encodeURIComponent(pick(queries) as string)}&limit=20`),
      read: (client) => client.get(`/v1/documents/${pick(uploaded) as string}`),
      register: async (client) => {
        // A draft is registered once: taken out of the pool before the request, put back if it was refused for now.
        const id = drafts.splice(Math.floor(Math.random() * drafts.length), 1)[0];
        if (!id) return client.get(`/v1/documents/${pick(uploaded) as string}`);
        const response = await client.call('POST', `/v1/documents/${id}/registration`, json({ registerId }));
        if (response.status === 201) {
          registered.set(
            id,
            (response.body as { document: { registration: { number: number } } }).document.registration.number,
          );
        } else if (response.status >= 500 || response.status === 429) drafts.push(id);
        return response;
      },
      sign: async (client) => {
        const id = pick(uploaded) as string;
        const response = await client.call(
          'POST',
          `/v1/documents/${id}/signatures`,
          json({ kind: 'attachment', notation: '15/UBND-VP', level: 'B-B' }),
        );
        if (response.status === 201) {
          signed.set(id, (signed.get(id) ?? 0) + 1);
          signedDocuments.push(id);
        }
        return response;
      },
      validate: (client) =>
        client.get(`/v1/documents/${(pick(signedDocuments) ?? pick(uploaded)) as string}/validation`),
    };

    const ports = {
      gateway: stack.ports.gateway,
      documents: stack.ports.documents,
      signing: stack.ports.signing,
    } as const;
    let counter = 0;
    // Baseline, in the same run: each action alone, one after the other by one user, before the load starts.
    const alone: Record<string, number> = {};
    for (const [operation] of mix) {
      const times: number[] = [];
      for (let i = 0; i < 5; i += 1) {
        counter += 1;
        const sent = performance.now();
        const response = await operations[operation](clerks[0]!, counter);
        if (response.status < 300) times.push(performance.now() - sent);
      }
      alone[operation] = Math.round(quantile(times, 0.5));
    }

    const before: Record<string, MetricSample[]> = {};
    for (const [name, port] of Object.entries(ports)) before[name] = await readMetrics(port);

    const stopWatching = watchPeaks(ports);
    const samples: Sample[] = [];
    const failures: string[] = [];
    const deadline = Date.now() + seconds * 1000;
    const started = performance.now();
    await Promise.all(
      clerks.map(async (client) => {
        while (Date.now() < deadline) {
          const operation = chooseOperation();
          counter += 1;
          const sent = performance.now();
          try {
            const response = await operations[operation](client, counter);
            samples.push({ operation, ms: performance.now() - sent, status: response.status });
            if (response.status >= 500 && failures.length < 20)
              failures.push(`${operation} ${response.status} ${JSON.stringify(response.body)}`);
          } catch (error) {
            samples.push({ operation, ms: performance.now() - sent, status: 0 });
            if (failures.length < 20) failures.push(`${operation} threw ${(error as Error).message}`);
          }
          await new Promise((resolve) =>
            setTimeout(resolve, thinkMs.min + Math.random() * (thinkMs.max - thinkMs.min)),
          );
        }
      }),
    );
    const elapsedSeconds = (performance.now() - started) / 1000;
    const peaks = await stopWatching();
    const after: Record<string, MetricSample[]> = {};
    for (const [name, port] of Object.entries(ports)) after[name] = await readMetrics(port);

    // Lost writes: every acknowledged upload is readable, every acknowledged registration holds its number and the
    // numbers are 1…N without a gap or a repeat, every acknowledged signature is listed on its document.
    // The checks are spread over every clerk: one user's reads alone would meet the gateway's per-user rate limit.
    let reads = 0;
    const reader = {
      get: async (path: string): Promise<ClientResponse> => {
        reads += 1;
        const response = await clerks[reads % users]!.get(path);
        if (response.status === 429) throw new Error(`the lost-write check was rate-limited at ${path}`);
        return response;
      },
    };
    const missingUploads: string[] = [];
    for (const id of uploaded) if ((await reader.get(`/v1/documents/${id}`)).status !== 200) missingUploads.push(id);
    const wrongRegistrations: string[] = [];
    for (const [id, number] of registered) {
      const read = await reader.get(`/v1/documents/${id}`);
      const registration = (read.body as { registration?: { number?: number } | null }).registration;
      if (registration?.number !== number)
        wrongRegistrations.push(`${id}: answered ${number}, stored ${registration?.number}`);
    }
    const numbers = [...registered.values()].sort((a, b) => a - b);
    const missingSignatures: string[] = [];
    for (const [id, count] of signed) {
      const listed = await reader.get(`/v1/documents/${id}/signatures`);
      const items = (listed.body as { items?: unknown[] } | unknown[] | undefined) ?? [];
      const found = Array.isArray(items) ? items.length : (items.items?.length ?? 0);
      if (found < count) missingSignatures.push(`${id}: ${count} acknowledged, ${found} listed`);
    }

    const perOperation = mix.map(([operation]) => {
      const mine = samples.filter((s) => s.operation === operation);
      const ok = mine.filter((s) => s.status >= 200 && s.status < 300);
      const byStatus: Record<string, number> = {};
      for (const s of mine) byStatus[String(s.status)] = (byStatus[String(s.status)] ?? 0) + 1;
      const times = ok.map((s) => s.ms);
      const p50 = quantile(times, 0.5);
      return {
        operation,
        count: mine.length,
        perSecond: Math.round((mine.length / elapsedSeconds) * 10) / 10,
        p50Ms: Math.round(p50),
        p99Ms: Math.round(quantile(times, 0.99)),
        aloneP50Ms: alone[operation],
        /** p50 under the load against the same action alone in this run (1: the load costs it nothing). */
        p50ToAlone: Math.round((p50 / Math.max(1, alone[operation] ?? 1)) * 10) / 10,
        byStatus,
      };
    });
    const results = {
      when: new Date().toISOString(),
      machine: `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}`,
      loadAverage: { start: loadAtStart, end: os.loadavg() },
      settings: { users, seconds, thinkMs, mix: Object.fromEntries(mix) },
      elapsedSeconds: Math.round(elapsedSeconds * 10) / 10,
      requests: samples.length,
      requestsPerSecond: Math.round((samples.length / elapsedSeconds) * 10) / 10,
      serverErrors: samples.filter((s) => s.status >= 500 || s.status === 0).length,
      rateLimited: samples.filter((s) => s.status === 429).length,
      perOperation,
      failures,
      lostWrites: {
        uploadsAcknowledged: uploaded.length,
        uploadsMissing: missingUploads,
        registrationsAcknowledged: registered.size,
        registrationsWrong: wrongRegistrations,
        numbersGapFree: numbers.every((n, i) => n === i + 1),
        signaturesAcknowledged: [...signed.values()].reduce((a, b) => a + b, 0),
        signaturesMissing: missingSignatures,
      },
      metrics: Object.fromEntries(
        Object.keys(ports).map((name) => [name, metricDelta(before[name] ?? [], after[name] ?? [], elapsedSeconds)]),
      ),
      /** The highest value each queue, backlog and lag gauge reached, scraped every 2 s during the run. */
      peaks,
    };
    fs.writeFileSync(path.join(__dirname, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
    process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
  } finally {
    await stack.stop();
  }
}

void main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  },
);
