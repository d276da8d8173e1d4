// Documents benchmark (issue 3): gap-free numbering throughput and accent-insensitive search
// latency, each as a ratio of a baseline measured in the same run on the same database.
// Usage (infrastructure up, services built): npx tsx bench/documents/run.ts [--documents 2000] [--concurrency 16]
//   [--gateway-registrations 300] (0 skips the through-the-gateway burst)
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  createLogger,
  createPool,
  runMigrations,
  systemClock,
  transactionRunner,
  withTransaction,
} from '@vanthu/platform';
import type { Identity } from '@vanthu/platform';
import { migrationsDir } from '../../services/documents/src/config';
import { createDocument } from '../../services/documents/src/documents/create-document';
import { registerDocument } from '../../services/documents/src/registers/register-document';
import { searchDocuments } from '../../services/documents/src/documents/search-documents';
import { createRegister } from '../../services/documents/src/registers/create-register';
import { importOrganisations } from '../../services/documents/src/organisations/import-organisations';
import { BlobStore } from '@vanthu/platform';
import { documentsServices } from '../../services/documents/src/app';
import type { DocumentsContext } from '../../services/documents/src/context';
import { createTestDatabase } from '../../test/support/databases';
import { makePdf } from '../../test/support/pdfs';
import { registrationsThroughGateway } from './through-gateway';

const args = process.argv.slice(2);
const option = (name: string, fallback: number): number => Number(args[args.indexOf(name) + 1] ?? fallback) || fallback;
const total = option('--documents', 2000);
const concurrency = option('--concurrency', 16);
const gatewayRegistrations = args.includes('--gateway-registrations')
  ? Number(args[args.indexOf('--gateway-registrations') + 1])
  : 300;

const clerk: Identity = { userId: 'bench', agencyCode: '000.00.00.H99', roles: ['clerk', 'admin'] };
const words = [
  'quyết định',
  'kế hoạch',
  'báo cáo',
  'chuyển đổi số',
  'đường giao thông',
  'nông thôn mới',
  'phòng chống lụt bão',
  'an toàn thông tin',
];

async function inParallel(count: number, workers: number, op: (i: number) => Promise<unknown>): Promise<number> {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: workers }, async () => {
      while (next < count) {
        const i = next;
        next += 1;
        await op(i);
      }
    }),
  );
  return (performance.now() - started) / 1000;
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;

async function main(): Promise<void> {
  const loadAtStart = os.loadavg();
  const db = await createTestDatabase('bench_documents');
  const logger = createLogger('bench', 'silent');
  const blobDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-documents-'));
  const pool = createPool(db.url, { max: concurrency + 2 });
  try {
    await runMigrations(db.url, migrationsDir, logger);
    const blobs = new BlobStore(blobDir);
    await blobs.init();
    const stored = await blobs.put((await import('node:stream')).Readable.from([await makePdf('bench', 1)]));
    const content = {
      sha256: stored.sha256,
      sizeBytes: stored.sizeBytes,
      mediaType: 'application/pdf',
      fileName: 'bench.pdf',
    };
    const run = () => transactionRunner(pool, clerk, undefined, '');
    // The use cases' context as a request would build it: the service's clients (one numbering slot per worker).
    const services = documentsServices({
      logger,
      pool,
      blobs,
      identityPublicKey: '',
      topicPrefix: 'bench.',
      maxUploadBytes: 1,
      numbering: { concurrency },
    });
    // Full-text indexing is not what this bench measures: it stays off.
    await services.textIndexer.stop();
    const ctx = (): DocumentsContext => ({
      ...services,
      identity: clerk,
      requestId: 'bench',
      runInTransaction: run(),
      clock: systemClock,
      logger,
    });
    await importOrganisations(
      { organisations: [{ code: clerk.agencyCode, name: 'Ủy ban nhân dân tỉnh', abbreviation: 'UBND' }] },
      ctx(),
    );
    const { result: register } = await createRegister({ register: { name: 'Sổ đi', direction: 'outgoing' } }, ctx());

    const ids: string[] = [];
    await inParallel(total, concurrency, async (i) => {
      const subject = `${words[i % words.length]} số ${i} về việc triển khai nhiệm vụ năm 2026`;
      const { result: document } = await createDocument(
        { metadata: { direction: 'outgoing', subject, typeCode: 'QĐ' }, upload: { blob: stored, content } },
        ctx(),
      );
      ids.push(document.id);
    });

    // Baseline: the physical limit of one gap-free series — the same counter upsert, alone in
    // its transaction, committed (one durable commit per number) by as many workers.
    const baselineSeconds = await inParallel(total, concurrency, (i) =>
      withTransaction(pool, (tx) =>
        tx
          .query(
            `INSERT INTO number_counters (series_key, year, last_number) VALUES ('baseline', 2026, 1) ON CONFLICT (series_key, year) DO UPDATE SET last_number = number_counters.last_number + 1`,
          )
          .then(() => i),
      ),
    );
    const oursSeconds = await inParallel(total, concurrency, (i) =>
      registerDocument({ documentId: ids[i] as string, request: { registerId: register.id } }, ctx()),
    );
    const numbers = (
      await pool.query<{ n: number; max: number }>('SELECT count(*)::int AS n, max(number) AS max FROM registrations')
    ).rows[0];

    // Search: our accent-folded trigram search against the baseline of a case-insensitive
    // substring match on the accented subject (what a naive implementation would run).
    const queries = ['quyet dinh', 'chuyen doi so', 'nong thon moi', 'an toan thong tin', 'so 1234'];
    const ours: number[] = [];
    const baseline: number[] = [];
    for (let round = 0; round < 20; round += 1) {
      for (const q of queries) {
        let started = performance.now();
        await searchDocuments({ criteria: { q }, limit: 50 }, ctx());
        ours.push(performance.now() - started);
        started = performance.now();
        await pool.query(
          `SELECT id FROM documents WHERE agency_code = $1 AND subject ILIKE '%' || $2 || '%' ORDER BY created_at DESC, id DESC LIMIT 51`,
          [clerk.agencyCode, q],
        );
        baseline.push(performance.now() - started);
      }
    }

    // The same use case reached as clients reach it: through the gateway, N in flight at once.
    const throughGateway = gatewayRegistrations > 0 ? await registrationsThroughGateway(gatewayRegistrations) : null;

    const results = {
      when: new Date().toISOString(),
      documents: total,
      concurrency,
      numbering: {
        baselineCountersPerSecond: total / baselineSeconds,
        registrationsPerSecond: total / oursSeconds,
        ratioToBaseline: baselineSeconds / oursSeconds,
        registered: numbers?.n,
        highestNumber: numbers?.max,
        throughGateway: throughGateway && {
          ...throughGateway,
          ratioToDomain: throughGateway.registrationsPerSecond / (total / oursSeconds),
        },
      },
      search: {
        medianMs: median(ours),
        baselineIlikeMedianMs: median(baseline),
        ratioToBaseline: median(ours) / Math.max(0.001, median(baseline)),
      },
      machine: `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}`,
      // The machine is shared: its load (1, 5, 15 min averages) at the start and at the end of the run.
      loadAverage: { start: loadAtStart, end: os.loadavg() },
    };
    const out = path.join(__dirname, 'results.json');
    fs.writeFileSync(out, `${JSON.stringify(results, null, 2)}\n`);
    process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
  } finally {
    await pool.end();
    await db.drop();
    fs.rmSync(blobDir, { recursive: true, force: true });
  }
}

void main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
