import { people, startHarness } from './http-harness';
import type { Harness } from './http-harness';

let h: Harness;
beforeAll(async () => {
  h = await startHarness('rt_start_key');
});
afterAll(async () => h.close());

// Integrators' clients send an Idempotency-Key with every POST (@vanthu/client always does). The answer to
// POST /v1/processes is the process with its first tasks, and a repeat with the key returns the same body.
test('starting a process with an Idempotency-Key answers the process with its tasks, and a repeat replays it', async () => {
  const draft = await h.uploadDraft(people.specialist);
  const key = { 'idempotency-key': `start-${draft.id}` };
  const body = { kind: 'outgoing', documentId: draft.id };
  const first = await h.call(people.specialist, 'POST', '/v1/processes', body, key);
  expect(first.statusCode).toBe(201);
  expect(first.json()).toMatchObject({ kind: 'outgoing', state: 'active', documentId: draft.id });
  expect(first.json().tasks.map((t: { step: string; state: string }) => [t.step, t.state])).toEqual([
    ['draft', 'open'],
  ]);
  expect(first.headers.location).toBe(`/v1/processes/${first.json().id}`);
  const again = await h.call(people.specialist, 'POST', '/v1/processes', body, key);
  expect(again.statusCode).toBe(201);
  expect(again.headers['idempotent-replayed']).toBe('true');
  expect(again.json()).toEqual(first.json());
  const { rows } = await h.fixture.pool.query('SELECT id FROM processes WHERE document_id = $1', [draft.id]);
  expect(rows).toHaveLength(1);
});
