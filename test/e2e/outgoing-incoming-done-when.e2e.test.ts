import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { createVanthuClient, formData, softwareSigner, VanthuProblem } from '@vanthu/client';
import type { VanthuClient } from '@vanthu/client';
import { startTestStack } from '../support/test-stack';
import type { TestStack } from '../support/test-stack';
import { eventually } from '../support/wait';
import { queryOnce } from '../support/sql';
import { congVanDocx, libreOfficePdfs } from '../../services/signing/test/fixtures/office-documents';
import { blueSignaturePng, redSealPng } from '../../services/signing/test/fixtures/images';
import { pdfsig, qpdfCheck } from '../../services/signing/test/support';

// "Done when" of issue 12, through the gateway as an integrator calls it with @vanthu/client: the outgoing process
// of NĐ 30/2020 Điều 10–19 in the UBND (draft, content initial, a return by the format checker with its reason, a
// corrected version, both initials again, the Chairman's approval by two-step token signing, number, seal, issue),
// then the incoming process of Điều 20–24 at the Sở KH&CN on the same instance (register, distribute to a lead, a
// cooperating unit and one for information with deadlines, the lead on time, the cooperating unit overdue once its
// deadline has really passed). Checked independently: pdfsig, qpdf and pdftotext on the issued PDF, both history
// chains, the events in the outboxes and reporting's figures against counts this test makes itself.

const ubnd = '000.00.00.H99';
const so = '000.00.31.H99';
const subject = 'Về việc triển khai chữ ký số chuyên dùng công vụ';
const returnReason = 'Thiếu nội dung chỉ đạo kiểm tra chữ ký số văn bản đến; đề nghị bổ sung và trình lại';
const direction = 'Giao Phòng Quản lý khoa học chủ trì tham mưu; Phòng Kế hoạch - Tài chính phối hợp.';
const position = ['TM. ỦY BAN NHÂN DÂN', 'CHỦ TỊCH'];

let stack: TestStack;
let dir: string;
let draftPdf: Buffer;
let correctedPdf: Buffer;
beforeAll(async () => {
  // A first draft and its correction (one more paragraph), both exported from DOCX by LibreOffice.
  [draftPdf, correctedPdf] = libreOfficePdfs([
    congVanDocx({ paragraphs: 2, position }),
    congVanDocx({ paragraphs: 3, position }),
  ]) as [Buffer, Buffer];
  stack = await startTestStack('donewhen');
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'donewhen-e2e-'));
}, 240_000);
afterAll(async () => {
  await stack?.stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

type Person = { user: string; agency: string; roles: string[]; unit?: string; name?: string; pki?: string };
type Task = {
  id: string;
  processId: string;
  step: string;
  state: string;
  documentVersion: number;
  assignee: { userId?: string; role?: string; unit?: string };
  distributionRole: string | null;
  dueAt: string | null;
  overdue: boolean;
  createdAt: string;
  completedAt: string | null;
  completedBy: string | null;
};
type Process = {
  id: string;
  state: string;
  outcome: string | null;
  contentVersion: number;
  documentId: string;
  tasks: Task[];
  signatures: { step: string; kind: string; signedVersion: number; valid: boolean; authorityPrefix: string | null }[];
};

const people = {
  adminA: { user: 'quan-tri-a', agency: ubnd, roles: ['admin'] },
  specialist: { user: 'chuyen-vien-a', agency: ubnd, unit: 'kgvx', roles: ['specialist'], name: 'Đỗ Thu Hà' },
  unitLeader: { user: 'cuong', agency: ubnd, unit: 'kgvx', roles: ['unit-leader'], pki: 'le-hoang-cuong' },
  formatChecker: { user: 'binh', agency: ubnd, unit: 'vp', roles: ['format-checker'], pki: 'tran-thi-binh' },
  chairman: { user: 'an', agency: ubnd, unit: 'vp', roles: ['agency-leader'], pki: 'nguyen-van-an' },
  clerkA: { user: 'van-thu-a', agency: ubnd, unit: 'vp', roles: ['clerk'] },
  adminB: { user: 'quan-tri-b', agency: so, roles: ['admin'] },
  clerkB: { user: 'van-thu-b', agency: so, unit: 'vp', roles: ['clerk'] },
  director: { user: 'giam-doc-b', agency: so, unit: 'vp', roles: ['agency-leader'] },
  lead: { user: 'chuyen-vien-qlkh', agency: so, unit: 'qlkh', roles: ['specialist'] },
  cooperator: { user: 'truong-phong-khtc', agency: so, unit: 'khtc', roles: ['unit-leader'] },
  informed: { user: 'chuyen-vien-vp', agency: so, unit: 'vp', roles: ['specialist'] },
} satisfies Record<string, Person>;
type Who = keyof typeof people;

const clients = new Map<Who, VanthuClient>();
async function as(who: Who): Promise<VanthuClient> {
  let client = clients.get(who);
  if (!client) {
    const p: Person = people[who];
    const token = await stack.token({
      user: p.user,
      agency: p.agency,
      roles: p.roles,
      ...(p.unit ? { unit: p.unit } : {}),
      ...(p.name ? { name: p.name } : {}),
    } as never);
    client = createVanthuClient({ baseUrl: stack.gatewayUrl, token });
    clients.set(who, client);
  }
  return client;
}

/** The person's USB token, simulated by the test PKI's key on this machine: the server never sees it. */
function tokenOf(who: Who) {
  const slug = (people[who] as Person).pki;
  const p = slug ? stack.infra.pki.persons[slug] : undefined;
  if (!p) throw new Error(`${who} has no certificate`);
  return softwareSigner({ privateKey: fs.readFileSync(p.keyPath), certificates: [fs.readFileSync(p.certPath)] });
}

const processOf = async (who: Who, id: string): Promise<Process> =>
  (await (await as(who)).GET('/v1/processes/{id}', { params: { path: { id } } })) as unknown as Process;

/** The caller's open task of a step, from their inbox (`GET /v1/tasks?assignee=me`). */
async function inboxTask(who: Who, step: string, processId?: string): Promise<Task> {
  const client = await as(who);
  return eventually(
    async () => {
      const page = (await client.GET('/v1/tasks', {
        params: { query: { assignee: 'me', limit: 200 } },
      })) as unknown as {
        items: Task[];
      };
      return page.items.find(
        (t) =>
          t.step === step &&
          (t.state === 'open' || t.state === 'claimed') &&
          (processId === undefined || t.processId === processId),
      );
    },
    (t) => t !== undefined,
    60_000,
    `${who}'s ${step} task`,
  ) as Promise<Task>;
}

const claim = async (who: Who, task: Task) =>
  (await as(who)).POST('/v1/tasks/{id}/claim', { params: { path: { id: task.id } } });
const complete = async (who: Who, task: Task, body: Record<string, unknown> = {}) =>
  (await (
    await as(who)
  ).POST('/v1/tasks/{id}/complete', { params: { path: { id: task.id } }, body: body as never })) as unknown as Task;

async function uploadImage(who: Who, png: Buffer, metadata: Record<string, unknown>) {
  await (
    await as(who)
  ).POST('/v1/signature-images', {
    body: formData({
      metadata: JSON.stringify(metadata),
      file: { bytes: png, filename: 'image.png', contentType: 'image/png' },
    }),
  });
}

const vietnamMonth = (iso: string): string => new Date(Date.parse(iso) + 7 * 3600_000).toISOString().slice(0, 7);
const vietnamDate = (iso: string): string => new Date(Date.parse(iso) + 7 * 3600_000).toISOString().slice(0, 10);

type Counts = {
  due: number;
  onTime: number;
  late: number;
  overdue: number;
  notYetDue: number;
  withoutDeadline: number;
};
/** The Phụ lục IV processing counts recomputed from routing's own task views (ARCHITECTURE.md "Reporting from events"). */
function processingCountsOf(tasks: Task[], asOf: number): Counts {
  const counts: Counts = { due: 0, onTime: 0, late: 0, overdue: 0, notYetDue: 0, withoutDeadline: 0 };
  for (const t of tasks) {
    // A step returned to an earlier one (trả lại) was not done: it is left out.
    if (t.state === 'returned') continue;
    if (t.dueAt === null) counts.withoutDeadline += 1;
    else {
      counts.due += 1;
      if (t.completedAt !== null) counts[Date.parse(t.completedAt) <= Date.parse(t.dueAt) ? 'onTime' : 'late'] += 1;
      else counts[Date.parse(t.dueAt) < asOf ? 'overdue' : 'notYetDue'] += 1;
    }
  }
  return counts;
}

it('a công văn drafted, returned once, initialled again, approved with a token, numbered, sealed and issued reaches a second agency, which registers and distributes it; pdfsig, the history chains, the events and reporting agree', async () => {
  // The directory, the registers, the images and the certificates an agency sets up once.
  await (
    await as('adminA')
  ).POST('/v1/organisations/imports', {
    body: {
      organisations: [
        {
          code: ubnd,
          name: 'Ủy ban nhân dân tỉnh Thử Nghiệm',
          abbreviation: 'UBND',
          units: [
            { code: 'kgvx', name: 'Phòng Khoa giáo - Văn xã', abbreviation: 'KGVX' },
            { code: 'vp', name: 'Văn phòng', abbreviation: 'VP' },
          ],
        },
      ],
    } as never,
  });
  await (
    await as('adminB')
  ).POST('/v1/organisations/imports', {
    body: {
      organisations: [
        {
          code: so,
          name: 'Sở Khoa học và Công nghệ tỉnh Thử Nghiệm',
          abbreviation: 'SKHCN',
          units: [
            { code: 'vp', name: 'Văn phòng Sở', abbreviation: 'VP' },
            { code: 'qlkh', name: 'Phòng Quản lý khoa học', abbreviation: 'QLKH' },
            { code: 'khtc', name: 'Phòng Kế hoạch - Tài chính', abbreviation: 'KHTC' },
          ],
        },
      ],
    } as never,
  });
  const outgoingRegister = (await (
    await as('clerkA')
  ).POST('/v1/registers', { body: { name: 'Sổ văn bản đi 2026', direction: 'outgoing' } as never })) as unknown as {
    id: string;
  };
  const incomingRegister = (await (
    await as('clerkB')
  ).POST('/v1/registers', { body: { name: 'Sổ văn bản đến 2026', direction: 'incoming' } as never })) as unknown as {
    id: string;
  };
  await uploadImage('clerkA', redSealPng(), { kind: 'seal', widthMm: 36 });
  await uploadImage('chairman', blueSignaturePng(), { kind: 'signature' });
  for (const who of ['unitLeader', 'formatChecker', 'chairman'] as const) {
    const p = stack.infra.pki.persons[people[who].pki];
    const registered = (await (
      await as(who)
    ).POST('/v1/certificates', {
      body: { certificate: fs.readFileSync(p?.certPath as string, 'utf8') } as never,
    })) as unknown as { id: string };
    await (await as('adminA')).POST('/v1/certificates/{id}/activate', { params: { path: { id: registered.id } } });
  }
  // After 16/4/2026 no electronic task goes to a person without an activated certificate: the others work under
  // the head of the agency's written exception (docs/domain/directives.md, Đà Nẵng §1b).
  const exceptions: [Who, Who[]][] = [
    ['adminA', ['specialist', 'clerkA']],
    ['adminB', ['clerkB', 'director', 'lead', 'cooperator', 'informed']],
  ];
  for (const [admin, whom] of exceptions)
    for (const who of whom)
      await (
        await as(admin)
      ).POST('/v1/certificate-exceptions', {
        body: {
          userId: people[who].user,
          referenceDocument: '15/QĐ-UBND',
          reason: 'Đang chờ cấp chứng thư số chuyên dùng công vụ',
        } as never,
      });
  // Routing learns certificates from signing's events.
  for (const who of ['unitLeader', 'formatChecker', 'chairman'] as const)
    await eventually(
      async () =>
        (await (
          await as('adminA')
        ).GET('/v1/certificate-gating/persons/{userId}', {
          params: { path: { userId: people[who].user } },
        })) as unknown as { assignable: boolean; because?: string },
      (v) => v.assignable && v.because === 'active-certificate',
      60_000,
      `${who}'s activated certificate in routing`,
    );

  // 1. The specialist drafts the công văn and starts the outgoing process.
  const specialist = await as('specialist');
  const draft = await specialist.uploadDocument(
    draftPdf,
    {
      direction: 'outgoing',
      subject,
      typeCode: 'CV',
      to: [{ organId: so, organName: 'Sở Khoa học và Công nghệ tỉnh Thử Nghiệm' }],
      signer: { competence: 'TM.', position: 'Chủ tịch', fullName: 'Nguyễn Văn An' },
    },
    { filename: 'cong-van.pdf' },
  );
  const documentId = draft.id;
  const started = (await specialist.POST('/v1/processes', {
    body: { kind: 'outgoing', documentId },
  })) as unknown as Process;
  const processId = started.id;
  await complete('specialist', await inboxTask('specialist', 'draft', processId));

  // 2. The unit leader checks the content and initials after "./." with his token.
  const review = await inboxTask('unitLeader', 'unit-review', processId);
  expect(review.assignee).toEqual({ role: 'unit-leader', unit: 'kgvx' });
  await claim('unitLeader', review);
  const [firstInitial] = await (
    await as('unitLeader')
  ).signWithToken({
    documents: [documentId],
    kind: 'initial',
    step: 'content',
    level: 'B-B',
    signer: tokenOf('unitLeader'),
  });
  expect(firstInitial?.results[0]?.outcome).toBe('signed');

  // 3. The format checker returns it, with its reason, to the specialist.
  const check = await inboxTask('formatChecker', 'format-check', processId);
  await claim('formatChecker', check);
  const noReason = await (
    await as('formatChecker')
  ).raw.POST('/v1/tasks/{id}/return', {
    params: { path: { id: check.id } },
    body: { toStep: 'draft' } as never,
  });
  expect(noReason.response.status).toBe(400);
  await (
    await as('formatChecker')
  ).POST('/v1/tasks/{id}/return', {
    params: { path: { id: check.id } },
    body: { toStep: 'draft', reason: returnReason },
  });

  // 4. The specialist uploads the corrected version: the initial on the old content no longer vouches for it.
  const redraft = await inboxTask('specialist', 'draft', processId);
  const current = (await specialist.GET('/v1/documents/{id}', { params: { path: { id: documentId } } })) as unknown as {
    currentVersion: number;
  };
  const corrected = (await specialist.POST('/v1/documents/{id}/versions', {
    params: { path: { id: documentId } },
    body: formData({
      metadata: JSON.stringify({ kind: 'upload', basedOnVersion: current.currentVersion }),
      file: { bytes: correctedPdf, filename: 'cong-van-sua.pdf', contentType: 'application/pdf' },
    }),
  })) as unknown as { currentVersion: number };
  const correctedVersion = corrected.currentVersion;
  const afterEdit = await eventually(
    () => processOf('specialist', processId),
    (p) => p.contentVersion === correctedVersion,
    60_000,
    'routing to learn the corrected version',
  );
  expect(afterEdit.signatures.map((s) => [s.step, s.signedVersion, s.valid])).toEqual([
    ['unit-review', current.currentVersion - 1, false],
  ]);
  await complete('specialist', redraft);

  // 5. Both initials again, on the corrected content.
  const review2 = await inboxTask('unitLeader', 'unit-review', processId);
  expect(review2.id).not.toBe(review.id);
  expect(review2.documentVersion).toBe(correctedVersion);
  await claim('unitLeader', review2);
  await (
    await as('unitLeader')
  ).signWithToken({
    documents: [documentId],
    kind: 'initial',
    step: 'content',
    level: 'B-B',
    signer: tokenOf('unitLeader'),
  });
  const check2 = await inboxTask('formatChecker', 'format-check', processId);
  await claim('formatChecker', check2);
  await (
    await as('formatChecker')
  ).signWithToken({
    documents: [documentId],
    kind: 'initial',
    step: 'format',
    level: 'B-B',
    signer: tokenOf('formatChecker'),
  });

  // 6. The Chairman approves with his token, on behalf of the committee (TM., NĐ 30/2020 Điều 13.1).
  const approval = await inboxTask('chairman', 'approval', processId);
  await claim('chairman', approval);
  const [approved] = await (
    await as('chairman')
  ).signWithToken({
    documents: [documentId],
    kind: 'approval',
    level: 'B-T',
    authorityPrefix: 'TM.',
    positionText: 'CHỦ TỊCH',
    signer: tokenOf('chairman'),
  });
  expect(approved?.results[0]?.outcome).toBe('signed');

  // 7. The clerk numbers, seals with the agency key in the HSM and issues.
  const clerkA = await as('clerkA');
  const sealing = await inboxTask('clerkA', 'sealing', processId);
  await claim('clerkA', sealing);
  const registration = (await clerkA.POST('/v1/documents/{id}/registration', {
    params: { path: { id: documentId } },
    body: { registerId: outgoingRegister.id, typeCode: 'CV', unitCode: 'kgvx' } as never,
  })) as unknown as { document: { registration: { number: number; notation: string; documentIdentifier: string } } };
  const number = registration.document.registration;
  expect(number.notation).toMatch(/^\d+\/UBND-KGVX$/);
  await clerkA.POST('/v1/documents/{id}/signatures', {
    params: { path: { id: documentId } },
    body: { kind: 'issue', level: 'B-LT' } as never,
  });
  const issuing = await inboxTask('clerkA', 'issue', processId);
  await claim('clerkA', issuing);
  await complete('clerkA', issuing);
  const outgoing = await eventually(
    () => processOf('clerkA', processId),
    (p) => p.state === 'completed',
    30_000,
    'the outgoing process to complete',
  );
  expect(outgoing.outcome).toBe('issued');
  expect(outgoing.signatures.filter((s) => s.valid).map((s) => [s.step, s.kind, s.authorityPrefix])).toEqual([
    ['unit-review', 'initial', null],
    ['format-check', 'initial', null],
    ['approval', 'approval', 'TM.'],
    ['sealing', 'issue', null],
  ]);

  // 8. The Sở's clerk finds it in her inbox and registers it (số đến) the same day.
  const registrationB = await inboxTask('clerkB', 'registration');
  const incomingId = registrationB.processId;
  const incomingStart = await processOf('clerkB', incomingId);
  expect(incomingStart.tasks.map((t) => t.step)).toEqual(['registration']);
  // The Sở's incoming document records the issuer's số, ký hiệu and signer (Phụ lục VI), under the approval's prefix.
  const arrived = (await (
    await as('clerkB')
  ).GET('/v1/documents/{id}', { params: { path: { id: incomingStart.documentId } } })) as unknown as {
    direction: string;
    metadata: Record<string, unknown>;
  };
  expect(arrived).toMatchObject({
    direction: 'incoming',
    metadata: {
      sender: { organId: ubnd },
      codeNotation: 'UBND-KGVX',
      signer: { competence: 'TM.', position: 'Chủ tịch', fullName: 'Nguyễn Văn An' },
    },
  });
  await claim('clerkB', registrationB);
  await complete('clerkB', registrationB, { registration: { registerId: incomingRegister.id } });

  // 9. The director distributes it: a lead, a cooperating unit and one for information, each with a deadline. The
  // cooperating unit's deadline is a few seconds away, so it really passes while the test runs.
  const distribution = await inboxTask('director', 'distribution', incomingId);
  await claim('director', distribution);
  const leadDue = new Date(Date.now() + 3600_000).toISOString();
  const cooperateDue = new Date(Date.now() + 20_000).toISOString();
  const noLead = await (
    await as('director')
  ).raw.POST('/v1/tasks/{id}/complete', {
    params: { path: { id: distribution.id } },
    body: { distribution: { direction, cooperate: [{ unit: 'khtc', dueAt: cooperateDue }] } },
  });
  expect(noLead.response.status).toBe(400);
  await complete('director', distribution, {
    distribution: {
      direction,
      lead: { userId: people.lead.user, dueAt: leadDue },
      cooperate: [{ unit: 'khtc', dueAt: cooperateDue }],
      inform: [{ userId: people.informed.user }],
    },
  });
  const distributed = await processOf('director', incomingId);
  expect(
    distributed.tasks
      .filter((t) => t.step.endsWith('-handling'))
      .map((t) => [t.distributionRole, t.dueAt, t.overdue])
      .sort(),
  ).toEqual([
    ['cooperate', cooperateDue, false],
    ['inform', null, false],
    ['lead', leadDue, false],
  ]);

  // 10. The lead reports progress and finishes on time; the one for information reads it.
  const leadTask = await inboxTask('lead', 'lead-handling', incomingId);
  expect(leadTask).toMatchObject({ distributionRole: 'lead', dueAt: leadDue });
  await (
    await as('lead')
  ).POST('/v1/tasks/{id}/progress', {
    params: { path: { id: leadTask.id } },
    body: { text: 'Đã dự thảo kế hoạch triển khai', percent: 50 },
  });
  const leadDone = await complete('lead', leadTask, {
    closing: { result: 'Đã ban hành Kế hoạch số 45/KH-SKHCN triển khai chữ ký số' },
  });
  expect(leadDone).toMatchObject({ state: 'completed', overdue: false });
  const informTask = await inboxTask('informed', 'support-handling', incomingId);
  expect(informTask.distributionRole).toBe('inform');
  await complete('informed', informTask);

  // 11. The cooperating unit's deadline passes: routing's timers report it overdue, once.
  const cooperateTask = await inboxTask('cooperator', 'support-handling', incomingId);
  expect(cooperateTask).toMatchObject({ distributionRole: 'cooperate', dueAt: cooperateDue });
  const overdueEvents = await eventually(
    () =>
      queryOnce<{ data: { taskId: string; dueAt: string; assignee?: { unit?: string } } }>(
        stack.envs.routing.DATABASE_URL as string,
        `SELECT data FROM outbox WHERE event_type = 'vn.vanthu.task.overdue.v1' AND data->>'processId' = $1`,
        [incomingId],
      ),
    (rows) => rows.length > 0,
    60_000,
    'task.overdue for the cooperating unit',
  );
  expect(overdueEvents.map((e) => e.data.taskId)).toEqual([cooperateTask.id]);
  expect(overdueEvents[0]?.data).toMatchObject({ dueAt: cooperateDue, assignee: { unit: 'khtc' } });
  const lateView = (await inboxTask('cooperator', 'support-handling', incomingId)) as Task;
  expect(lateView.overdue).toBe(true);
  await claim('cooperator', cooperateTask);
  const late = await complete('cooperator', cooperateTask, { comment: 'Đã góp ý về kinh phí' });
  expect(late.overdue).toBe(true);
  const incoming = await processOf('clerkB', incomingId);
  expect(incoming).toMatchObject({ state: 'completed', outcome: 'closed' });

  // The issued PDF: four signatures valid by poppler, a sound file by qpdf, the Vietnamese text exactly.
  const issued = await clerkA.raw.GET('/v1/documents/{id}/content', {
    params: { path: { id: documentId } },
    parseAs: 'arrayBuffer',
  });
  const bytes = Buffer.from(issued.data as ArrayBuffer);
  const received = await (
    await as('clerkB')
  ).raw.GET('/v1/documents/{id}/content', { params: { path: { id: incoming.documentId } }, parseAs: 'arrayBuffer' });
  expect(Buffer.from(received.data as ArrayBuffer).equals(bytes)).toBe(true);
  const file = path.join(dir, 'issued.pdf');
  fs.writeFileSync(file, bytes);
  // Every revision is an incremental update of the corrected upload.
  expect(bytes.subarray(0, correctedPdf.length).equals(correctedPdf)).toBe(true);
  const sigs = pdfsig(file);
  expect(sigs).toHaveLength(4);
  expect(sigs.every((s) => s.valid)).toBe(true);
  expect(qpdfCheck(file)).toMatch(/No syntax or stream encoding errors/);
  const extract = (f: string) => execFileSync('pdftotext', [f, '-'], { encoding: 'utf8' }).normalize('NFC');
  const correctedFile = path.join(dir, 'corrected.pdf');
  fs.writeFileSync(correctedFile, correctedPdf);
  const text = extract(file);
  for (const line of extract(correctedFile)
    .split('\n')
    .filter((l) => l.trim() !== ''))
    expect(text).toContain(line);
  for (const expected of [
    'CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM',
    'Độc lập - Tự do - Hạnh phúc',
    'Kính gửi: Các sở, ban, ngành tỉnh.',
    'TM. ỦY BAN NHÂN DÂN',
    '3. Thực hiện Nghị định số 30/2020/NĐ-CP',
    // The initials print their certificate holders' names.
    'Lê Hoàng Cường',
    'Trần Thị Bình',
  ])
    expect(text).toContain(expected);

  // The approval carries its prefix in signing's record, in the PDF signature dictionary and in the events.
  const signatures = (await clerkA.GET('/v1/documents/{id}/signatures', {
    params: { path: { id: documentId } },
  })) as unknown as {
    kind: string;
    version: number;
    authorityPrefix: string | null;
    signerUserId: string | null;
    appearance: { page: number; x: number; y: number; width: number; height: number } | null;
  }[];
  const onIssued = signatures.filter((s) => s.version > correctedVersion);
  expect(onIssued.map((s) => [s.kind, s.signerUserId, s.authorityPrefix])).toEqual([
    ['initial', 'cuong', null],
    ['initial', 'binh', null],
    ['approval', 'an', 'TM.'],
    ['issue', null, null],
  ]);
  expect(bytes.toString('latin1')).toMatch(/\/Reason\s*\(TM\.\)/);
  // The approval stamp prints the authority it was recorded under, above the signature image (Phụ lục I.II.7.b):
  // poppler reads exactly that line inside the stamp's rectangle (the seal over its left third is an image).
  const stamp = onIssued.find((s) => s.kind === 'approval')?.appearance;
  if (!stamp) throw new Error('the approval has no appearance rectangle');
  const pageHeight = Number(
    /Page size:\s+[\d.]+ x ([\d.]+)/.exec(execFileSync('pdfinfo', [file], { encoding: 'utf8' }))?.[1],
  );
  const top = Math.ceil(pageHeight - stamp.y - stamp.height);
  const box = [Math.ceil(stamp.x), top, Math.floor(stamp.width) - 1, Math.floor(stamp.height) - 1].map(String);
  const page = String(stamp.page + 1);
  const inStamp = execFileSync(
    'pdftotext',
    ['-f', page, '-l', page, '-x', box[0], '-y', box[1], '-W', box[2], '-H', box[3], file, '-'] as string[],
    { encoding: 'utf8' },
  );
  expect(inStamp.replace(/\f/g, '').trim().normalize('NFC')).toBe('TM. ỦY BAN NHÂN DÂN');
  const routingEvents = await queryOnce<{ event_type: string; data: Record<string, unknown> }>(
    stack.envs.routing.DATABASE_URL as string,
    'SELECT event_type, data FROM outbox ORDER BY position',
  );
  const approvalCompleted = routingEvents.find(
    (e) => e.event_type === 'vn.vanthu.task.completed.v1' && e.data.step === 'approval',
  );
  expect(approvalCompleted?.data).toMatchObject({ completedBy: 'an', authorityPrefix: 'TM.', onTime: true });
  // What reporting counts from: both processes started and ended with their outcome, the return with its reason, every
  // completion with routing's on-time verdict, each distributed task with its role and deadline.
  const ofType = (type: string) =>
    routingEvents.filter((e) => e.event_type === `vn.vanthu.${type}.v1`).map((e) => e.data);
  expect(ofType('process.started').map((d) => [d.agencyCode, d.kind, d.processId])).toEqual([
    [ubnd, 'outgoing', processId],
    [so, 'incoming', incomingId],
  ]);
  expect(ofType('process.completed').map((d) => [d.processId, d.outcome])).toEqual([
    [processId, 'issued'],
    [incomingId, 'closed'],
  ]);
  expect(ofType('process.returned')).toEqual([
    expect.objectContaining({ processId, fromStep: 'format-check', toStep: 'draft', reason: returnReason }),
  ]);
  expect(ofType('task.returned')).toEqual([
    expect.objectContaining({ taskId: check.id, returnedBy: 'binh', reason: returnReason }),
  ]);
  for (const completed of ofType('task.completed')) expect(typeof completed.onTime).toBe('boolean');
  expect(
    Object.fromEntries(
      ofType('task.completed')
        .filter((d) => d.processId === incomingId && d.step !== 'registration' && d.step !== 'distribution')
        .map((d) => [d.taskId, d.onTime]),
    ),
  ).toEqual({ [leadTask.id]: true, [informTask.id]: true, [cooperateTask.id]: false });
  expect(
    ofType('task.assigned')
      .filter((d) => d.processId === incomingId && d.role !== undefined)
      .map((d) => [d.role, d.dueAt ?? null]),
  ).toEqual([
    ['lead', leadDue],
    ['cooperate', cooperateDue],
    ['inform', null],
  ]);
  const signingEvents = await queryOnce<{ data: Record<string, unknown> }>(
    stack.envs.signing.DATABASE_URL as string,
    `SELECT data FROM outbox WHERE event_type = 'vn.vanthu.signature.applied.v1' AND data->>'kind' = 'approval'`,
  );
  expect(signingEvents.map((e) => e.data.authorityPrefix)).toEqual(['TM.']);

  // Both history chains verify through the API, and show the return with its reason.
  for (const [who, id] of [
    ['clerkA', processId],
    ['clerkB', incomingId],
  ] as const) {
    const history = (await (
      await as(who)
    ).GET('/v1/processes/{id}/history', { params: { path: { id } } })) as unknown as {
      items: { action: string; detail: Record<string, unknown> }[];
    };
    const verdict = (await (
      await as(who)
    ).GET('/v1/processes/{id}/history/verification', { params: { path: { id } } })) as unknown as {
      valid: boolean;
      entries: number;
    };
    expect(verdict).toMatchObject({ valid: true, entries: history.items.length });
    if (id === processId)
      expect(history.items.find((e) => e.action === 'task-returned')?.detail.reason).toBe(returnReason);
  }
  // Another agency's process does not exist for the caller.
  await expect(
    (await as('clerkA')).GET('/v1/processes/{id}', { params: { path: { id: incomingId } } }),
  ).rejects.toBeInstanceOf(VanthuProblem);

  // Reporting, from the events alone, against counts made here from what the API said happened.
  const finalOutgoing = await processOf('clerkA', processId);
  const finalIncoming = await processOf('clerkB', incomingId);
  const issuedAt = finalOutgoing.tasks.find((t) => t.step === 'issue' && t.state === 'completed')
    ?.completedAt as string;
  const month = vietnamMonth(issuedAt);
  const compliance = async (who: Who) =>
    (await (await as(who)).GET('/v1/reports/compliance', { params: { query: { month } } })) as unknown as {
      documents: { outgoing: number; incoming: number; issued: number };
      figures: Record<string, { numerator: number; denominator: number }>;
    };
  const figuresOf = (report: Awaited<ReturnType<typeof compliance>>) =>
    Object.fromEntries(Object.entries(report.figures).map(([k, f]) => [k, [f.numerator, f.denominator]]));
  const leadFinal = finalIncoming.tasks.find((t) => t.distributionRole === 'lead') as Task;
  const leadOnTime = Date.parse(leadFinal.completedAt as string) <= Date.parse(leadFinal.dueAt as string) ? 1 : 0;
  const leadDueThisMonth = vietnamMonth(leadFinal.dueAt as string) === month ? 1 : 0;
  // The cooperating unit finished after routing reported it overdue: late, counted in the cooperation figure.
  const cooperateFinal = finalIncoming.tasks.find((t) => t.distributionRole === 'cooperate') as Task;
  const cooperateOnTime =
    Date.parse(cooperateFinal.completedAt as string) <= Date.parse(cooperateFinal.dueAt as string) ? 1 : 0;
  const cooperateDueThisMonth = vietnamMonth(cooperateFinal.dueAt as string) === month ? 1 : 0;
  // UBND: one công văn issued with initials, approval and seal, electronic; nothing received, no hub.
  const expectedA = {
    fullyElectronic: [1, 1],
    signed: [1, 1],
    personallySigned: [1, 1],
    organisationSigned: [1, 1],
    bothSignatures: [1, 1],
    initialled: [1, 1],
    validated: [0, 1],
    digitisedOnly: [0, 1],
    exchangedThroughHub: [0, 1],
    incomingOnTime: [0, 0],
    cooperationOnTime: [0, 0],
    consultationsOnTime: [0, 0],
  };
  // Sở: one incoming document, electronic and validated on receipt; the lead's handling on time.
  const expectedB = {
    fullyElectronic: [1, 1],
    signed: [0, 0],
    personallySigned: [0, 0],
    organisationSigned: [0, 0],
    bothSignatures: [0, 0],
    initialled: [0, 0],
    validated: [0, 0],
    digitisedOnly: [0, 0],
    exchangedThroughHub: [0, 0],
    incomingOnTime: [leadOnTime * leadDueThisMonth, leadDueThisMonth],
    cooperationOnTime: [cooperateOnTime * cooperateDueThisMonth, cooperateDueThisMonth],
    consultationsOnTime: [0, 0],
  };
  await eventually(
    async () => [figuresOf(await compliance('adminA')), figuresOf(await compliance('adminB'))],
    ([a, b]) => JSON.stringify(a) === JSON.stringify(expectedA) && JSON.stringify(b) === JSON.stringify(expectedB),
    60_000,
    'reporting to count both agencies',
  );
  expect((await compliance('adminA')).documents).toMatchObject({ outgoing: 1, incoming: 0, issued: 1 });
  expect((await compliance('adminB')).documents).toMatchObject({ outgoing: 0, incoming: 1, issued: 0 });

  // Phụ lục IV processing reports over a period from the day the process started: every outgoing task, and the
  // handling of the incoming document by the lead and by the cooperating unit (each with its deadline; not the one
  // informed), per unit and in total.
  const from = vietnamDate(finalOutgoing.tasks[0]?.createdAt as string);
  const to = vietnamDate(new Date(Date.parse(from) + 30 * 86_400_000).toISOString());
  type Processing = {
    total: Counts;
    byRole: { lead: Counts; cooperate: Counts } | null;
    units: { unit: string | null; counts: Counts }[];
  };
  const processing = async (who: Who, dir: 'incoming' | 'outgoing') =>
    (await (
      await as(who)
    ).GET('/v1/reports/processing', { params: { query: { direction: dir, from, to } } })) as unknown as Processing;
  const inPeriod = (t: Task) =>
    vietnamDate(t.dueAt ?? t.createdAt) >= from && vietnamDate(t.dueAt ?? t.createdAt) <= to;
  const perUnit = (tasks: Task[], asOf: number) => {
    const units = [...new Set(tasks.map((t) => t.assignee.unit ?? null))];
    return Object.fromEntries(
      units.map((u) => [
        String(u),
        processingCountsOf(
          tasks.filter((t) => (t.assignee.unit ?? null) === u),
          asOf,
        ),
      ]),
    );
  };
  const outgoingTasks = finalOutgoing.tasks.filter(inPeriod);
  const handlingTasks = finalIncoming.tasks.filter(
    (t) => (t.distributionRole === 'lead' || t.distributionRole === 'cooperate') && inPeriod(t),
  );
  const asOf = Date.now();
  const expectedOutgoing = processingCountsOf(outgoingTasks, asOf);
  expect(expectedOutgoing.due).toBeGreaterThan(0);
  expect(expectedOutgoing.withoutDeadline).toBe(2); // the two drafting rounds
  const outgoingReport = await processing('adminA', 'outgoing');
  expect(outgoingReport.total).toEqual(expectedOutgoing);
  expect(Object.fromEntries(outgoingReport.units.map((u) => [String(u.unit), u.counts]))).toEqual(
    perUnit(outgoingTasks, asOf),
  );
  const incomingReport = await processing('adminB', 'incoming');
  expect(incomingReport.total).toEqual(processingCountsOf(handlingTasks, asOf));
  // The lead on time, the cooperating unit late after its overdue report.
  expect(incomingReport.total).toMatchObject({ due: 2, onTime: 1, late: 1 });
  expect(incomingReport.byRole).toEqual({
    lead: processingCountsOf(
      handlingTasks.filter((t) => t.distributionRole === 'lead'),
      asOf,
    ),
    cooperate: processingCountsOf(
      handlingTasks.filter((t) => t.distributionRole === 'cooperate'),
      asOf,
    ),
  });
  expect(Object.fromEntries(incomingReport.units.map((u) => [String(u.unit), u.counts]))).toEqual(
    perUnit(handlingTasks, asOf),
  );
}, 300_000);
