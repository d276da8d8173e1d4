import outgoing from '../src/definitions/defaults/outgoing.json';
import { people, startHarness } from './http-harness';
import type { Harness } from './http-harness';

let h: Harness;
beforeAll(async () => {
  h = await startHarness('rt_down');
});
afterAll(async () => h.close());

test('documents unreachable: starting a process, completing a step, accepting delegated work and opening a consultation answer 503 with Retry-After, and change nothing', async () => {
  const draft = await h.uploadDraft(people.specialist);
  const waiting = await h.uploadDraft(people.specialist);
  const started = await h.call(people.specialist, 'POST', '/v1/processes', { kind: 'outgoing', documentId: draft.id });
  expect(started.statusCode).toBe(201);
  const task = (started.json().tasks as { id: string; step: string }[])[0];
  expect(task?.step).toBe('draft');
  const before = await h.call(people.specialist, 'GET', `/v1/processes/${started.json().id}/history`);

  // An agency version where a delegate's draft goes back to the specialist for review.
  const elements = outgoing.elements.map((e) =>
    e.id === 'draft' ? { ...e, actions: ['complete', 'delegate'], ownerReview: true } : e,
  );
  expect((await h.call(people.admin, 'POST', '/v1/workflows/definitions', { ...outgoing, elements })).statusCode).toBe(
    201,
  );
  const reviewed = await h.call(people.specialist, 'POST', '/v1/processes', {
    kind: 'outgoing',
    documentId: (await h.uploadDraft(people.specialist)).id,
  });
  const reviewedTask = (reviewed.json().tasks as { id: string }[])[0];
  await h.call(people.specialist, 'POST', `/v1/tasks/${reviewedTask?.id}/delegate`, { to: people.specialist2.userId });
  const submitted = await h.call(people.specialist2, 'POST', `/v1/tasks/${reviewedTask?.id}/complete`, {});
  expect(submitted.json().allowedActions).toEqual(['review']);
  const reviewedBefore = await h.call(people.specialist, 'GET', `/v1/processes/${reviewed.json().id}/history`);

  await h.stopDocuments();

  const start = await h.call(people.specialist, 'POST', '/v1/processes', { kind: 'outgoing', documentId: waiting.id });
  expect(start.statusCode).toBe(503);
  expect(start.headers['content-type']).toMatch(/application\/problem\+json/);
  expect(start.headers['retry-after']).toBe('5');
  // The draft step hands on the version documents holds now: it cannot without documents.
  const complete = await h.call(people.specialist, 'POST', `/v1/tasks/${task?.id}/complete`, {});
  expect(complete.statusCode).toBe(503);
  expect(complete.headers['retry-after']).toBe('5');

  // Accepting applies the delegate's completion, which hands on the version documents holds now.
  const accept = await h.call(people.specialist, 'POST', `/v1/tasks/${reviewedTask?.id}/review`, {
    decision: 'accept',
  });
  expect(accept.statusCode).toBe(503);
  expect(accept.headers['retry-after']).toBe('5');
  const stillInReview = await h.fixture.pool.query<{ state: string; review: { submittedBy: string } | null }>(
    'SELECT state, review FROM tasks WHERE id = $1',
    [reviewedTask?.id],
  );
  expect(stillInReview.rows[0]).toMatchObject({ state: 'claimed', review: { submittedBy: people.specialist2.userId } });
  const reviewedAfter = await h.call(people.specialist, 'GET', `/v1/processes/${reviewed.json().id}/history`);
  expect(reviewedAfter.json().items).toEqual(reviewedBefore.json().items);

  const consultation = await h.call(people.specialist, 'POST', '/v1/consultations', {
    documentId: draft.id,
    question: 'Cho ý kiến',
    members: [people.unitLeader.userId],
    dueAt: '2026-06-20T02:00:00.000Z',
  });
  expect(consultation.statusCode).toBe(503);
  expect((await h.fixture.pool.query('SELECT 1 FROM consultations')).rowCount).toBe(0);

  const { rows } = await h.fixture.pool.query<{ state: string }>('SELECT state FROM tasks WHERE id = $1', [task?.id]);
  expect(rows).toEqual([{ state: 'open' }]);
  const processes = await h.fixture.pool.query('SELECT 1 FROM processes WHERE document_id = $1', [waiting.id]);
  expect(processes.rowCount).toBe(0);
  const after = await h.call(people.specialist, 'GET', `/v1/processes/${started.json().id}/history`);
  expect(after.json().items).toEqual(before.json().items);
});
