import { DocumentsClient } from '../src';
import { people, startHarness } from './http-harness';
import type { Harness } from './http-harness';

// A member's answer sheet is stored in documents without the consultation's lock held (issue 12): the request is
// checked without the lock, documents stores the sheet with no transaction open, and the sheet is recorded under the
// lock after checking again. Other work on the consultation goes on meanwhile, and every sheet documents holds is one
// routing knows.

let h: Harness;
beforeAll(async () => {
  h = await startHarness('rt_sheetlock');
});
afterAll(async () => h.close());

const inDays = (days: number) => new Date(h.now.value.getTime() + days * 86_400_000).toISOString();

async function openSigned(): Promise<string> {
  const document = await h.uploadDraft(people.specialist, { subject: 'Dự thảo Kế hoạch cải cách hành chính 2027' });
  const opened = await h.call(people.specialist, 'POST', '/v1/consultations', {
    documentId: document.id,
    question: 'Đề nghị cho ý kiến dự thảo Kế hoạch cải cách hành chính 2027',
    members: [people.unitLeader.userId, people.formatChecker.userId],
    dueAt: inDays(3),
    signedAnswers: true,
  });
  expect(opened.statusCode).toBe(201);
  return `/v1/consultations/${opened.json().id as string}`;
}

async function documentCount(): Promise<number> {
  const { rows } = await h.documentsFixture.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM documents');
  return (rows[0] as { n: number }).n;
}

async function sheetsOf(url: string): Promise<Record<string, string>> {
  const { rows } = await h.fixture.pool.query<{ document_id: string; state: string }>(
    'SELECT document_id, state FROM consultation_answer_sheets WHERE consultation_id = $1',
    [url.split('/').at(-1)],
  );
  return Object.fromEntries(rows.map((r) => [r.document_id, r.state]));
}

/** Resolves with `work`'s outcome, or rejects when it takes longer than `ms` (a lock held would make it wait). */
const within = <T>(ms: number, work: Promise<T>): Promise<T> =>
  Promise.race([
    work,
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`still waiting after ${ms} ms`)), ms)),
  ]);

it('the opener closes the consultation while documents stores a sheet: the close does not wait, the sheet is refused and recorded', async () => {
  const url = await openSigned();
  const before = await documentCount();
  const create = DocumentsClient.prototype.createDocument;
  let closeStatus = 0;
  const slow = jest.spyOn(DocumentsClient.prototype, 'createDocument').mockImplementationOnce(async function (
    this: DocumentsClient,
    ...args: Parameters<DocumentsClient['createDocument']>
  ) {
    // While the sheet is being stored, the opener closes: with the consultation's lock held by the sheet request this
    // would wait for the request, which waits for it.
    closeStatus = (await within(20_000, h.call(people.specialist, 'POST', `${url}/closure`))).statusCode;
    return create.apply(this, args);
  });
  try {
    const sheet = await h.call(people.unitLeader, 'POST', `${url}/answer-sheets`, { answer: 'agree' });
    expect(closeStatus).toBe(200);
    expect(sheet.statusCode).toBe(409);
    expect(sheet.json().detail).toMatch(/is closed/);
    // Documents holds the sheet (and the summary of the close); routing knows the sheet, as superseded.
    expect(await documentCount()).toBe(before + 2);
    expect(Object.values(await sheetsOf(url))).toEqual(['superseded']);
  } finally {
    slow.mockRestore();
  }
});

it('two requests for the same answer at once give one sheet and one document; two different answers leave one waiting', async () => {
  const url = await openSigned();
  const before = await documentCount();
  const ask = (body: unknown) => h.call(people.unitLeader, 'POST', `${url}/answer-sheets`, body);
  const [first, second] = await Promise.all([ask({ answer: 'agree' }), ask({ answer: 'agree' })]);
  expect([first.statusCode, second.statusCode]).toEqual([201, 201]);
  expect(first.json().documentId).toBe(second.json().documentId);
  expect(await documentCount()).toBe(before + 1);
  expect(await sheetsOf(url)).toEqual({ [first.json().documentId]: 'awaiting-signature' });

  const answers = await Promise.all([
    h.call(people.formatChecker, 'POST', `${url}/answer-sheets`, { answer: 'comments', comment: 'Bổ sung lộ trình' }),
    h.call(people.formatChecker, 'POST', `${url}/answer-sheets`, { answer: 'disagree', comment: 'Chưa đủ căn cứ' }),
  ]);
  expect(answers.map((a) => a.statusCode)).toEqual([201, 201]);
  const states = await sheetsOf(url);
  const ofChecker = answers.map((a) => states[a.json().documentId as string]).sort();
  expect(ofChecker).toEqual(['awaiting-signature', 'superseded']);
  expect(await documentCount()).toBe(before + 3);
});
