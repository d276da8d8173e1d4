import { randomUUID } from 'node:crypto';
import type { Identity } from '@vanthu/platform';
import { agency, people, startHarness } from './http-harness';
import type { Harness } from './http-harness';
import { multipartBody } from '../../../test/support/multipart';
import { makeScan } from '../../documents/test/scan-files';

// Paper fallback (docs/domain/directives.md, Ngã Năm Điều 8.5c): the administrator declares incident mode, the clerk
// issues on paper during it, and when it ends a task asks for the digitised copy, which only documents' copy.made
// completes.

let h: Harness;
// The clerk's two issuing steps alone, so the test reaches them without the initials and the approval.
const issuing = {
  kind: 'outgoing',
  name: 'Văn bản đi (thử nghiệm phát hành)',
  elements: [
    { id: 'start', type: 'startEvent' },
    {
      id: 'sealing',
      type: 'userTask',
      name: 'Văn thư kiểm tra, cấp số, ký số của cơ quan',
      assignee: { role: 'clerk' },
      actions: ['claim', 'complete'],
      signature: { kind: 'issue' },
      dueIn: { workingDays: 1 },
    },
    {
      id: 'issue',
      type: 'userTask',
      name: 'Văn thư phát hành và gửi',
      assignee: { role: 'clerk' },
      actions: ['claim', 'complete'],
      form: 'issuance',
    },
    { id: 'end', type: 'endEvent' },
  ],
  flows: [
    { from: 'start', to: 'sealing' },
    { from: 'sealing', to: 'issue' },
    { from: 'issue', to: 'end' },
  ],
};

beforeAll(async () => {
  h = await startHarness('rt_paper');
  const imported = await h.documents.inject({
    method: 'POST',
    url: '/v1/organisations/imports',
    headers: h.as(people.admin),
    payload: { organisations: [{ code: agency, name: 'Ủy ban nhân dân huyện Thử Nghiệm', abbreviation: 'UBND' }] },
  });
  expect(imported.statusCode).toBeLessThan(300);
  expect((await h.call(people.admin, 'POST', '/v1/workflows/definitions', issuing)).statusCode).toBe(201);
});
afterAll(async () => h.close());

async function outboxOf(type: string): Promise<Record<string, unknown>[]> {
  const { rows } = await h.fixture.pool.query<{ data: Record<string, unknown> }>(
    'SELECT data FROM outbox WHERE event_type = $1 ORDER BY position',
    [type],
  );
  return rows.map((r) => r.data);
}

type Task = { id: string; step: string; state: string; allowedActions: string[] };
async function startOutgoing(): Promise<{ processId: string; documentId: string }> {
  const document = await h.uploadDraft(people.specialist, { subject: 'Công văn về việc tổ chức hội nghị' });
  const started = await h.call(people.specialist, 'POST', '/v1/processes', {
    kind: 'outgoing',
    documentId: document.id,
  });
  expect(started.statusCode).toBe(201);
  return { processId: started.json().id, documentId: document.id };
}
const tasksOf = async (processId: string): Promise<Task[]> =>
  (await h.call(people.clerk, 'GET', `/v1/processes/${processId}`)).json().tasks;
const paperIssue = (who: Identity, taskId: string, body: unknown) =>
  h.call(who, 'POST', `/v1/tasks/${taskId}/paper-issue`, body);

async function scanCopy(metadata: Record<string, unknown>) {
  const { body, contentType } = multipartBody([
    { name: 'metadata', value: JSON.stringify(metadata) },
    {
      name: 'file',
      value: await makeScan({ dpi: 200, colour: true }),
      filename: 'scan.pdf',
      contentType: 'application/pdf',
    },
  ]);
  const response = await h.documents.inject({
    method: 'POST',
    url: '/v1/copies/scans',
    headers: { ...h.as(people.clerk), 'content-type': contentType },
    payload: body,
  });
  expect(response.statusCode).toBe(201);
  return response.json() as { id: string };
}

test('incident mode: paper issue, a digitisation task at its end, completed only by the digitised copy', async () => {
  const { processId, documentId } = await startOutgoing();
  const sealing = (await tasksOf(processId)).find((t) => t.step === 'sealing') as Task;
  expect(sealing.state).toBe('open');

  // Outside incident mode the clerk seals and issues electronically.
  const refused = await paperIssue(people.clerk, sealing.id, { paperNotation: '15/UBND-VP' });
  expect(refused.statusCode).toBe(409);
  expect(refused.json().detail).toMatch(/not in incident mode/);

  // Only an administrator declares it, once it has started, one at a time.
  const declare = (who: Identity, body: unknown) => h.call(who, 'POST', '/v1/workflows/incidents', body);
  const reason = 'Mất kết nối tới máy chủ ký số, không ký được văn bản';
  expect((await declare(people.clerk, { reason })).statusCode).toBe(403);
  expect((await declare(people.admin, { reason: '' })).statusCode).toBe(400);
  const future = new Date(h.now.value.getTime() + 3_600_000).toISOString();
  expect((await declare(people.admin, { reason, startedAt: future })).json()).toMatchObject({
    status: 400,
    errors: [{ field: 'body.startedAt' }],
  });
  const startedAt = new Date(h.now.value.getTime() - 30 * 60_000).toISOString();
  const declared = await declare(people.admin, { reason, startedAt });
  expect(declared.statusCode).toBe(201);
  const incident = declared.json();
  expect(incident).toMatchObject({ state: 'open', reason, startedAt, endedAt: null, paperIssues: [] });
  expect((await declare(people.admin, { reason: 'Lần hai' })).statusCode).toBe(409);
  expect((await h.call(people.clerk, 'GET', '/v1/workflows/incidents')).json()).toMatchObject({
    current: { id: incident.id },
  });
  expect((await h.call(people.otherClerk, 'GET', '/v1/workflows/incidents')).json()).toEqual({
    current: null,
    items: [],
  });

  // The paper issue: the clerk, on an issuing step, during the incident.
  expect((await paperIssue(people.specialist, sealing.id, { paperNotation: '15/UBND-VP' })).statusCode).toBe(403);
  expect((await paperIssue(people.otherClerk, sealing.id, { paperNotation: '15/UBND-VP' })).statusCode).toBe(404);
  expect((await paperIssue(people.clerk, sealing.id, { paperNotation: '' })).statusCode).toBe(400);
  expect((await paperIssue(people.clerk, sealing.id, { paperNotation: '15/UBND-VP', x: 1 })).statusCode).toBe(400);
  const issued = await paperIssue(people.clerk, sealing.id, {
    paperNotation: '15/UBND-VP',
    note: 'Đã in, ký tay, đóng dấu và gửi bưu điện',
  });
  expect(issued.statusCode).toBe(200);
  expect(issued.json()).toMatchObject({ state: 'completed' });
  expect((await paperIssue(people.clerk, sealing.id, { paperNotation: '15/UBND-VP' })).statusCode).toBe(409);
  // The electronic issue step is not taken; the process waits for the digitised copy.
  const afterIssue = (await h.call(people.clerk, 'GET', `/v1/processes/${processId}`)).json();
  expect(afterIssue.state).toBe('active');
  expect(afterIssue.tasks.filter((t: Task) => t.state === 'open' || t.state === 'claimed')).toEqual([]);
  // Counts come with an empty page too (one statement: the counts row is joined to the page).
  const inbox = (await h.call(people.clerk, 'GET', '/v1/tasks?assignee=me&state=open')).json();
  expect(inbox.items.filter((t: Task) => t.id === sealing.id)).toEqual([]);
  expect(inbox.counts.completed).toBeGreaterThanOrEqual(1);
  const { rows: paperRows } = await h.fixture.pool.query(
    'SELECT incident_id, task_id, paper_notation, issued_by FROM paper_issues WHERE process_id = $1',
    [processId],
  );
  expect(paperRows).toEqual([
    { incident_id: incident.id, task_id: sealing.id, paper_notation: '15/UBND-VP', issued_by: people.clerk.userId },
  ]);
  expect(await outboxOf('vn.vanthu.process.paper-issued.v1')).toEqual([
    expect.objectContaining({ processId, documentId, incidentId: incident.id, paperNotation: '15/UBND-VP' }),
  ]);

  // Not a step of the issue: the registration of an incoming document stays electronic.
  const incoming = await h.uploadDraft(people.clerk, {
    direction: 'incoming',
    subject: 'Giấy mời họp',
    sender: { organId: '000.00.31.H98', organName: 'Sở Nội vụ' },
    codeNumber: '7',
    codeNotation: 'GM-SNV',
    issuedDate: '2026-06-12',
  });
  const incomingProcess = (
    await h.call(people.clerk, 'POST', '/v1/processes', { kind: 'incoming', documentId: incoming.id })
  ).json();
  const registration = (await tasksOf(incomingProcess.id))[0] as Task;
  const notIssuing = await paperIssue(people.clerk, registration.id, { paperNotation: '7/GM-SNV' });
  expect(notIssuing.statusCode).toBe(409);
  expect(notIssuing.json().detail).toMatch(/not one of the clerk's issuing steps/);

  // The end: only the administrator, not before the start, once.
  const end = (who: Identity, id: string, body: unknown = {}) =>
    h.call(who, 'POST', `/v1/workflows/incidents/${id}/end`, body);
  expect((await end(people.clerk, incident.id)).statusCode).toBe(403);
  expect((await end(people.admin, randomUUID())).statusCode).toBe(404);
  expect((await end(people.outsider, incident.id)).statusCode).toBe(403);
  const beforeStart = new Date(Date.parse(startedAt) - 60_000).toISOString();
  expect((await end(people.admin, incident.id, { endedAt: beforeStart })).statusCode).toBe(400);
  h.now.value = new Date(h.now.value.getTime() + 2 * 3_600_000);
  const ended = await end(people.admin, incident.id);
  expect(ended.statusCode).toBe(200);
  expect(ended.json()).toMatchObject({ state: 'ended', endedBy: people.admin.userId });
  expect((await end(people.admin, incident.id)).statusCode).toBe(409);
  const digitisationTaskId = ended.json().paperIssues[0].digitisationTaskId as string;
  expect(digitisationTaskId).toEqual(expect.any(String));
  expect(await outboxOf('vn.vanthu.incident.ended.v1')).toEqual([
    expect.objectContaining({ incidentId: incident.id, paperIssues: 1, endedBy: people.admin.userId }),
  ]);

  // After the incident the clerk's task for the digitised copy: no client completes it.
  const digitisation = (await tasksOf(processId)).find((t) => t.id === digitisationTaskId) as Task;
  expect(digitisation).toMatchObject({ step: 'paper-digitisation', state: 'open', allowedActions: [] });
  const completed = await h.call(people.clerk, 'POST', `/v1/tasks/${digitisationTaskId}/complete`, {});
  expect(completed.statusCode).toBe(409);
  expect(completed.json().detail).toMatch(/allowed: none/);
  expect((await paperIssue(people.clerk, digitisationTaskId, { paperNotation: '15/UBND-VP' })).statusCode).toBe(409);
  const { rows: assigned } = await h.fixture.pool.query(
    `SELECT data FROM outbox WHERE event_type = 'vn.vanthu.task.assigned.v1' AND data->>'taskId' = $1`,
    [digitisationTaskId],
  );
  expect(assigned).toHaveLength(1);

  // A digitised copy of some other paper changes nothing; the copy of this document completes the task and process.
  await scanCopy({ subject: 'Bản giấy khác', sourceDescription: '3/QĐ-UBND ngày 02/01/2026' });
  await h.pumpDocumentEvents();
  expect((await tasksOf(processId)).find((t) => t.id === digitisationTaskId)).toMatchObject({ state: 'open' });
  const copy = await scanCopy({
    subject: 'Công văn về việc tổ chức hội nghị (bản số hóa)',
    sourceDocumentId: documentId,
  });
  expect(await h.pumpDocumentEvents()).toBeGreaterThanOrEqual(1);
  const done = (await h.call(people.clerk, 'GET', `/v1/processes/${processId}`)).json();
  expect(done).toMatchObject({ state: 'completed', outcome: 'issued-on-paper' });
  expect(done.tasks.find((t: Task) => t.id === digitisationTaskId)).toMatchObject({ state: 'completed' });
  const { rows: digitised } = await h.fixture.pool.query(
    'SELECT digitised_copy_id FROM paper_issues WHERE process_id = $1',
    [processId],
  );
  expect(digitised).toEqual([{ digitised_copy_id: copy.id }]);
  expect((await outboxOf('vn.vanthu.process.completed.v1')).filter((e) => e.processId === processId)).toEqual([
    expect.objectContaining({ outcome: 'issued-on-paper' }),
  ]);
  const verification = (await h.call(people.clerk, 'GET', `/v1/processes/${processId}/history/verification`)).json();
  expect(verification).toMatchObject({ valid: true });
  const actions = (await h.call(people.clerk, 'GET', `/v1/processes/${processId}/history`))
    .json()
    .items.map((e: { action: string }) => e.action);
  expect(actions).toEqual(expect.arrayContaining(['paper-issued', 'digitised-copy-made', 'process-completed']));

  // No paper issue after the incident ended.
  const later = await startOutgoing();
  const laterSealing = (await tasksOf(later.processId))[0] as Task;
  expect((await paperIssue(people.clerk, laterSealing.id, { paperNotation: '16/UBND-VP' })).statusCode).toBe(409);
});
