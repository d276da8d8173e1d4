import { randomUUID } from 'node:crypto';
import { gatewayClient } from '../support/gateway-client';
import { makePdf } from '../support/pdfs';
import { agencyA } from '../support/identities';
import { queryOnce } from '../support/sql';
import { currentVietnamMonth, eventually } from '../support/wait';
import { awaitHealthy, cellTitle, cells, expectStatus, startFaultStack, untilAnswered } from '../support/faults';
import type { Cell, FaultStack } from '../support/faults';
import { congVan, signAs } from '../../services/signing/test/fixtures/validation-support';

// Fault matrix (ARCHITECTURE.md "Fault matrix"), flow "upload → validate → report": documents stores each upload
// and publishes document.created; signing validates every incoming one (NĐ 30/2020 Điều 21.2) and publishes
// document.validated; reporting counts both. Each cell injects one fault while uploads are in flight or while their
// events are being consumed; the client repeats a failed upload with the same Idempotency-Key until it is answered.
// Afterwards, from the databases and the reports: every acknowledged upload is stored once, every incoming one is
// validated once, and reporting counts every document and validation exactly once.

const matrix = cells([
  { fault: { kind: 'kill', service: 'documents' }, point: 'during the uploads', sample: true },
  { fault: { kind: 'kill', service: 'documents' }, point: 'while the events are relayed' },
  { fault: { kind: 'kill', service: 'signing' }, point: 'during the uploads' },
  { fault: { kind: 'kill', service: 'signing' }, point: 'while the events are relayed' },
  { fault: { kind: 'kill', service: 'reporting' }, point: 'during the uploads' },
  { fault: { kind: 'kill', service: 'reporting' }, point: 'while the events are relayed' },
  { fault: { kind: 'kill', service: 'gateway' }, point: 'during the uploads' },
  { fault: { kind: 'postgres-restart' }, point: 'during the uploads', sample: true },
  { fault: { kind: 'postgres-restart' }, point: 'while the events are relayed' },
  { fault: { kind: 'kafka-restart' }, point: 'during the uploads' },
  { fault: { kind: 'kafka-restart' }, point: 'while the events are relayed' },
]);

const perCell = 6; // uploads per cell: half outgoing, half incoming with a signature to validate
let f: FaultStack;
let signedIncoming: Buffer;
const acknowledged: { id: string; key: string; direction: 'incoming' | 'outgoing'; cell: string }[] = [];

beforeAll(async () => {
  f = await startFaultStack('fupload');
  signedIncoming = await signAs(await congVan(), 'tran-thi-binh', 'B-B');
}, 300_000);
afterAll(async () => {
  await f?.close();
});

async function clerk() {
  return gatewayClient(
    f.stack.gatewayUrl,
    await f.stack.token({ user: 'van-thu', agency: agencyA, roles: ['clerk'], ttlSeconds: 3600 }),
  );
}

async function uploadOne(cell: Cell, i: number): Promise<void> {
  const client = await clerk();
  const direction = i % 2 === 0 ? 'outgoing' : 'incoming';
  const key = `upload-${randomUUID()}`;
  const pdf = direction === 'outgoing' ? await makePdf(`${cellTitle(cell)} ${i}`) : signedIncoming;
  const answer = await untilAnswered(
    () =>
      client.uploadDocument(
        pdf,
        { direction, subject: `${cellTitle(cell)} — văn bản ${i}` },
        { 'idempotency-key': key },
      ),
    `upload ${i} of ${cellTitle(cell)}`,
  );
  expectStatus(answer, 201);
  acknowledged.push({ id: (answer.body as { id: string }).id, key, direction, cell: cellTitle(cell) });
}

describe.each(matrix.map((cell) => [cellTitle(cell), cell] as const))('upload → validate → report: %s', (_, cell) => {
  it('keeps every acknowledged upload, validates each incoming one once and counts each once', async () => {
    const mine = () => acknowledged.filter((a) => a.cell === cellTitle(cell));
    if (cell.point === 'during the uploads') {
      // Two uploads at a time; the fault strikes once a third of them are acknowledged, the rest are in flight.
      let next = 0;
      const worker = async () => {
        while (next < perCell) await uploadOne(cell, next++);
      };
      const workers = [worker(), worker()];
      await Promise.race([
        Promise.all(workers),
        eventually(
          async () => mine().length,
          (n) => n >= perCell / 3,
          240_000,
          'the first uploads',
        ),
      ]);
      await f.inject(cell.fault);
      await Promise.all(workers);
    } else {
      for (let i = 0; i < perCell; i += 1) await uploadOne(cell, i);
      await f.inject(cell.fault);
    }
    await awaitHealthy(f.stack);
    await expectInvariants();
  });
});

async function expectInvariants(): Promise<void> {
  const { envs } = f.stack;
  const ids = acknowledged.map((a) => a.id);
  const incoming = acknowledged.filter((a) => a.direction === 'incoming').map((a) => a.id);

  // Every acknowledged write is present, once: one document per Idempotency-Key, with its one version.
  const documents = await queryOnce<{ id: string; versions: number }>(
    envs.documents.DATABASE_URL as string,
    `SELECT d.id, (SELECT count(*)::int FROM document_versions v WHERE v.document_id = d.id) AS versions
       FROM documents d`,
  );
  expect(documents.map((d) => d.id).sort()).toEqual([...ids].sort());
  expect(documents.filter((d) => d.versions !== 1)).toEqual([]);
  const client = await clerk();
  for (const a of acknowledged.slice(-perCell)) expectStatus(await client.get(`/v1/documents/${a.id}`), 200);

  // Each incoming document is validated once on receipt, and document.validated is written once for it.
  const validated = await eventually(
    () =>
      queryOnce<{ document_id: string; n: number; events: number }>(
        envs.signing.DATABASE_URL as string,
        `SELECT v.document_id, count(*)::int AS n,
                (SELECT count(*)::int FROM outbox o
                  WHERE o.event_type = 'vn.vanthu.document.validated.v1' AND o.message_key = v.document_id::text) AS events
           FROM document_validations v WHERE v.trigger = 'incoming' GROUP BY v.document_id`,
      ),
    // The report is recorded before the inbox transaction that writes the event commits: wait for both.
    (rows) => rows.length >= incoming.length && rows.every((v) => v.events >= 1),
    180_000,
    'every incoming document to be validated',
  );
  expect(validated.map((v) => v.document_id).sort()).toEqual([...incoming].sort());
  expect(validated.filter((v) => v.n !== 1 || v.events !== 1)).toEqual([]);

  // Reporting counts each document and each validation exactly once.
  const report = await eventually(
    async () =>
      (await client.get(`/v1/reports/compliance?month=${currentVietnamMonth()}`)).body as {
        documents: { total: number; incoming: number; outgoing: number };
      },
    (r) => r?.documents?.total === ids.length && r.documents.incoming === incoming.length,
    180_000,
    'reporting to count every acknowledged document',
  );
  expect(report.documents).toMatchObject({
    total: ids.length,
    incoming: incoming.length,
    outgoing: ids.length - incoming.length,
  });
  const facts = await eventually(
    () =>
      queryOnce<{ documents: number; validations: number }>(
        envs.reporting.DATABASE_URL as string,
        `SELECT (SELECT count(*)::int FROM document_facts) AS documents,
                (SELECT count(*)::int FROM validation_facts) AS validations`,
      ),
    (rows) => rows[0]?.validations === incoming.length,
    180_000,
    'reporting to count every validation',
  );
  expect(facts[0]).toEqual({ documents: ids.length, validations: incoming.length });

  // Nothing is left behind: no unrelayed event, and nothing dead-lettered by any consumer.
  for (const service of ['documents', 'signing', 'reporting'] as const) {
    const [left] = await eventually(
      () =>
        queryOnce<{ pending: number; dead: number }>(
          envs[service].DATABASE_URL as string,
          `SELECT (SELECT count(*)::int FROM outbox WHERE published_at IS NULL) AS pending,
                  (SELECT count(*)::int FROM inbox_dead_letter) AS dead`,
        ),
      (rows) => rows[0]?.pending === 0,
      120_000,
      `${service}'s outbox to be relayed`,
    );
    expect({ service, ...left }).toEqual({ service, pending: 0, dead: 0 });
  }
}
