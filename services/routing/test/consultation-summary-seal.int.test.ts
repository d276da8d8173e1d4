import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { AppError } from '@vanthu/platform';
import type { Identity } from '@vanthu/platform';
import { DocumentsClient } from '../src';
import { pdfsig } from '../../signing/test/support';
import { people, startHarness } from './http-harness';
import type { Harness } from './http-harness';

// The summary of a consultation's answers (tổng hợp ý kiến, docs/domain/directives.md, Đà Nẵng §2d) is sealed with the
// agency's organisation signature: routing stores it in documents, the real signing service seals it (its service seal
// of kind consultation-summary, with the test HSM's key of agency A), and routing stores the sealed file as the
// summary's next version. A close that crashes after documents stored the summary, or after it stored the seal, is
// retried without a second document or a second seal.

let h: Harness;
beforeAll(async () => {
  h = await startHarness('rt_sumseal', { signing: true });
}, 120_000);
afterAll(async () => h?.close());

const inDays = (days: number) => new Date(h.now.value.getTime() + days * 86_400_000).toISOString();

async function documentsCall(who: Identity, method: 'GET' | 'POST', url: string, payload?: unknown) {
  return h.documents.inject({
    method,
    url,
    headers: h.as(who),
    ...(payload !== undefined ? { payload: payload as object } : {}),
  });
}

async function documentCount(): Promise<number> {
  const { rows } = await h.documentsFixture.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM documents');
  return (rows[0] as { n: number }).n;
}

/** A consultation on a new draft filed in a dossier, with one of its two members' answers given. */
async function openAnswered(question: string): Promise<{ url: string; dossierId: string }> {
  const document = await h.uploadDraft(people.specialist, { subject: `Dự thảo: ${question}` });
  const dossier = await documentsCall(people.clerk, 'POST', '/v1/dossiers', {
    fileNotation: '09.VP',
    title: `Hồ sơ: ${question}`,
    maintenance: '10 năm',
  });
  const dossierId = dossier.json().id as string;
  await documentsCall(people.clerk, 'POST', `/v1/dossiers/${dossierId}/documents`, { documentId: document.id });
  const opened = await h.call(people.specialist, 'POST', '/v1/consultations', {
    documentId: document.id,
    question,
    members: [people.unitLeader.userId, people.formatChecker.userId],
    dueAt: inDays(2),
  });
  expect(opened.statusCode).toBe(201);
  const url = `/v1/consultations/${opened.json().id as string}`;
  expect((await h.call(people.unitLeader, 'POST', `${url}/answers`, { answer: 'agree' })).statusCode).toBe(200);
  return { url, dossierId };
}

/** The summary's versions and what pdfsig and pdftotext find in its current one. */
async function summaryOf(documentId: string) {
  const stored = (await documentsCall(people.clerk, 'GET', `/v1/documents/${documentId}`)).json();
  const content = await documentsCall(people.clerk, 'GET', `/v1/documents/${documentId}/content`);
  const file = path.join(h.fixture.tempDir, `${documentId}.pdf`);
  fs.writeFileSync(file, content.rawPayload);
  return {
    kinds: (stored.versions as { kind: string; createdBy: string }[]).map((v) => [v.kind, v.createdBy]),
    signatures: pdfsig(file),
    signer: execFileSync('pdfsig', [file], { encoding: 'utf8' }),
    text: execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' }),
  };
}

it('seals the summary with the agency’s seal and files the sealed summary in the dossier', async () => {
  const { url, dossierId } = await openAnswered('Đề nghị góp ý dự thảo Quy chế quản lý văn bản điện tử');
  const closed = await h.call(people.specialist, 'POST', `${url}/closure`);
  expect(closed.statusCode).toBe(200);
  const view = closed.json();
  expect(view).toMatchObject({ state: 'closed', summaryDossierId: dossierId });
  const summary = await summaryOf(view.summaryDocumentId);
  // Written by routing, sealed by signing, stored by routing as the next version.
  expect(summary.kinds).toEqual([
    ['upload', 'service:routing'],
    ['signature', 'service:routing'],
  ]);
  expect(summary.signatures).toHaveLength(1);
  expect(summary.signatures[0]?.valid).toBe(true);
  expect(summary.signer).toContain(`serialNumber=${people.specialist.agencyCode}`);
  expect(summary.text).toContain('TỔNG HỢP Ý KIẾN THÀNH VIÊN');
  expect(summary.text).toContain('Kết quả: Nhất trí 1; Không nhất trí 0; Có ý kiến khác 0; trên 2 thành viên.');
  const filed = (await documentsCall(people.clerk, 'GET', `/v1/dossiers/${dossierId}`)).json();
  expect(filed.documents.map((d: { documentId: string }) => d.documentId)).toContain(view.summaryDocumentId);
});

it('a crash after documents stored the summary, before routing recorded it: the retry gets the same document back', async () => {
  const { url } = await openAnswered('Đề nghị góp ý dự thảo Kế hoạch lưu trữ năm 2027');
  const before = await documentCount();
  // Documents stores the summary and answers; routing fails before it records the id (as a crash would).
  const create = DocumentsClient.prototype.createDocument;
  const crash = jest.spyOn(DocumentsClient.prototype, 'createDocument').mockImplementationOnce(async function (
    this: DocumentsClient,
    ...args: Parameters<DocumentsClient['createDocument']>
  ) {
    await create.apply(this, args);
    throw new AppError('SERVICE_UNAVAILABLE', 'routing crashed after documents answered', { retryAfterSeconds: 5 });
  });
  try {
    expect((await h.call(people.specialist, 'POST', `${url}/closure`)).statusCode).toBe(503);
    expect(await documentCount()).toBe(before + 1);
    const { rows } = await h.fixture.pool.query(
      'SELECT document_id FROM consultation_summary_documents WHERE consultation_id = $1',
      [url.split('/').at(-1)],
    );
    expect(rows).toEqual([{ document_id: null }]); // the id never reached routing
    expect((await h.call(people.specialist, 'GET', url)).json().state).toBe('open');
    // The opener closes again an hour later: the summary says so, but the first summary is asked for again first, under
    // the same key, and documents gives back the document it stored.
    h.now.value = new Date(h.now.value.getTime() + 3_600_000);
    const closed = await h.call(people.specialist, 'POST', `${url}/closure`);
    expect(closed.statusCode).toBe(200);
    expect(crash).toHaveBeenCalledTimes(2);
    expect(await documentCount()).toBe(before + 1);
    const summary = await summaryOf(closed.json().summaryDocumentId);
    // The first attempt's summary, this close's summary (it closed an hour later), and this one sealed.
    expect(summary.kinds.map(([kind]) => kind)).toEqual(['upload', 'upload', 'signature']);
    expect(summary.signatures).toHaveLength(1);
    expect(summary.signatures[0]?.valid).toBe(true);
  } finally {
    crash.mockRestore();
  }
});

it('a crash after documents stored the sealed summary: the retry seals nothing again', async () => {
  const { url } = await openAnswered('Đề nghị góp ý dự thảo Quy định về chữ ký số');
  const before = await documentCount();
  const addVersion = DocumentsClient.prototype.addVersion;
  const crash = jest.spyOn(DocumentsClient.prototype, 'addVersion').mockImplementationOnce(async function (
    this: DocumentsClient,
    ...args: Parameters<DocumentsClient['addVersion']>
  ) {
    const stored = await addVersion.apply(this, args);
    if (args[2].kind === 'signature')
      throw new AppError('SERVICE_UNAVAILABLE', 'routing crashed after documents stored the seal', {
        retryAfterSeconds: 5,
      });
    return stored;
  });
  try {
    expect((await h.call(people.specialist, 'POST', `${url}/closure`)).statusCode).toBe(503);
    // Retried at once: the same bytes, already sealed in documents.
    const closed = await h.call(people.specialist, 'POST', `${url}/closure`);
    expect(closed.statusCode).toBe(200);
    expect(await documentCount()).toBe(before + 1);
    const summary = await summaryOf(closed.json().summaryDocumentId);
    expect(summary.kinds.map(([kind]) => kind)).toEqual(['upload', 'signature']);
    expect(summary.signatures).toHaveLength(1);
  } finally {
    crash.mockRestore();
  }
});

it('signing unreachable: nothing closes', async () => {
  const { url } = await openAnswered('Đề nghị góp ý dự thảo Quy chế tiếp công dân');
  await h.signing?.close();
  const refused = await h.call(people.specialist, 'POST', `${url}/closure`);
  expect(refused.statusCode).toBe(503);
  expect(refused.headers['retry-after']).toBe('5');
  expect((await h.call(people.specialist, 'GET', url)).json().state).toBe('open');
});
