import type { Identity } from '@vanthu/platform';
import { people, startHarness } from './http-harness';
import type { Harness } from './http-harness';

let h: Harness;
beforeAll(async () => {
  h = await startHarness('rt_cons');
});
afterAll(async () => h.close());

const inDays = (days: number) => new Date(h.now.value.getTime() + days * 86_400_000).toISOString();

async function outboxOf(type: string): Promise<Record<string, unknown>[]> {
  const { rows } = await h.fixture.pool.query<{ data: Record<string, unknown> }>(
    'SELECT data FROM outbox WHERE event_type = $1 ORDER BY position',
    [type],
  );
  return rows.map((r) => r.data);
}

test('a consultation with a quorum: members answer once, the rule closes it, events carry the tally', async () => {
  const document = await h.uploadDraft(people.specialist);
  const open = (body: Record<string, unknown>, who: Identity = people.specialist) =>
    h.call(who, 'POST', '/v1/consultations', {
      documentId: document.id,
      question: 'Đề nghị cho ý kiến dự thảo Kế hoạch chuyển đổi số năm 2027',
      dueAt: inDays(3),
      ...body,
    });
  const members = [people.unitLeader.userId, people.formatChecker.userId, people.leader.userId];
  expect((await open({ members, dueAt: '2026-06-01T00:00:00Z' })).statusCode).toBe(400);
  expect((await open({ members: [...members, people.leader.userId] })).statusCode).toBe(400);
  expect((await open({ members, completion: { quorum: 4 } })).statusCode).toBe(400);
  expect((await open({ members }, people.admin)).statusCode).toBe(403);
  expect((await open({ members }, people.outsider)).statusCode).toBe(404);
  const uncertified = await open({ members: [...members.slice(0, 2), people.uncertified.userId] });
  expect(uncertified.statusCode).toBe(422);
  expect(uncertified.json().detail).toMatch(/chuyen-vien-moi/);

  const opened = await open({ members, completion: { quorum: 2 } });
  expect(opened.statusCode).toBe(201);
  const consultation = opened.json();
  expect(consultation).toMatchObject({ state: 'open', unanswered: [...members].sort(), overdue: false });
  const url = `/v1/consultations/${consultation.id}`;
  expect((await h.call(people.outsider, 'GET', url)).statusCode).toBe(404);

  const answer = (who: Identity, body: unknown) => h.call(who, 'POST', `${url}/answers`, body);
  expect((await answer(people.specialist2, { answer: 'agree' })).statusCode).toBe(403);
  expect((await answer(people.outsider, { answer: 'agree' })).statusCode).toBe(404);
  expect((await answer(people.unitLeader, { answer: 'maybe' })).statusCode).toBe(400);
  expect((await answer(people.unitLeader, { answer: 'disagree' })).statusCode).toBe(400); // needs its comment
  const first = await answer(people.unitLeader, { answer: 'agree' });
  expect(first.json()).toMatchObject({ state: 'open', tally: { agree: 1, disagree: 0, comments: 0 } });
  expect((await answer(people.unitLeader, { answer: 'agree' })).statusCode).toBe(409);
  // Late answers count, and are reported late.
  h.now.value = new Date(h.now.value.getTime() + 4 * 86_400_000);
  expect((await h.call(people.specialist, 'GET', url)).json()).toMatchObject({ overdue: true });
  const second = await answer(people.formatChecker, { answer: 'comments', comment: 'Bổ sung chỉ tiêu năm 2027' });
  expect(second.json()).toMatchObject({
    state: 'closed',
    closeReason: 'completion-rule',
    tally: { agree: 1, disagree: 0, comments: 1 },
    unanswered: [people.leader.userId],
  });
  expect((await answer(people.leader, { answer: 'agree' })).statusCode).toBe(409);

  // Checked in the database, not through the service's own view.
  const { rows } = await h.fixture.pool.query<{ user_id: string; answer: string | null }>(
    'SELECT user_id, answer FROM consultation_members WHERE consultation_id = $1 ORDER BY user_id',
    [consultation.id],
  );
  expect(rows.filter((r) => r.answer !== null).map((r) => r.user_id)).toEqual(
    [people.formatChecker.userId, people.unitLeader.userId].sort(),
  );
  expect(await outboxOf('vn.vanthu.consultation.opened.v1')).toEqual([
    expect.objectContaining({ consultationId: consultation.id, members, completion: { quorum: 2 } }),
  ]);
  expect(
    (await outboxOf('vn.vanthu.consultation.answered.v1')).map((e) => [e.memberUserId, e.answer, e.onTime]),
  ).toEqual([
    [people.unitLeader.userId, 'agree', true],
    [people.formatChecker.userId, 'comments', false],
  ]);
  expect(await outboxOf('vn.vanthu.consultation.closed.v1')).toEqual([
    expect.objectContaining({ consultationId: consultation.id, reason: 'completion-rule', unanswered: ['chu-tich-1'] }),
  ]);
});

test('the opener closes a consultation at the deadline; the members who did not answer are listed', async () => {
  const document = await h.uploadDraft(people.specialist);
  const opened = (
    await h.call(people.specialist, 'POST', '/v1/consultations', {
      documentId: document.id,
      question: 'Cho ý kiến về dự thảo Quy chế',
      members: [people.unitLeader.userId, people.leader.userId],
      dueAt: inDays(1),
    })
  ).json();
  const close = (who: Identity) => h.call(who, 'POST', `/v1/consultations/${opened.id}/closure`);
  expect((await close(people.unitLeader)).statusCode).toBe(403);
  expect((await close(people.outsider)).statusCode).toBe(404);
  const closed = await close(people.specialist);
  expect(closed.json()).toMatchObject({
    state: 'closed',
    closeReason: 'closed-by-opener',
    unanswered: [people.leader.userId, people.unitLeader.userId].sort(),
  });
  expect((await close(people.specialist)).statusCode).toBe(409);
});
