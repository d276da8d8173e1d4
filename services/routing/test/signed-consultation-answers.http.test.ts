import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { AppError, createServiceClaimVerifier } from '@vanthu/platform';
import type { Identity } from '@vanthu/platform';
import { DocumentsClient } from '../src';
import { people, signatureApplied, startHarness } from './http-harness';
import type { Harness } from './http-harness';

// Signed answers to a consultation (docs/domain/directives.md, Đà Nẵng §2d, §3b) and the summary of answers filed in
// the document's dossier. Signing is represented by the event it publishes once it has checked a two-step signature
// against the member's registered, activated certificate (signature.applied): routing never sees the signature itself.

let h: Harness;
beforeAll(async () => {
  h = await startHarness('rt_signed');
});
afterAll(async () => h.close());

const signatureAppliedType = 'vn.vanthu.signature.applied.v1';
const inDays = (days: number) => new Date(h.now.value.getTime() + days * 86_400_000).toISOString();

async function documentsCall(who: Identity, method: 'GET' | 'POST', url: string, payload?: unknown) {
  return h.documents.inject({
    method,
    url,
    headers: h.as(who),
    ...(payload !== undefined ? { payload: payload as object } : {}),
  });
}

/** The text of a stored PDF, by poppler's pdftotext (not our own reader). */
async function pdfText(who: Identity, documentId: string): Promise<string> {
  const response = await documentsCall(who, 'GET', `/v1/documents/${documentId}/content`);
  expect(response.statusCode).toBe(200);
  return execFileSync('pdftotext', ['-layout', '-', '-'], { input: response.rawPayload }).toString('utf8');
}

async function outboxOf(type: string): Promise<Record<string, unknown>[]> {
  const { rows } = await h.fixture.pool.query<{ data: Record<string, unknown> }>(
    'SELECT data FROM outbox WHERE event_type = $1 ORDER BY position',
    [type],
  );
  return rows.map((r) => r.data);
}

const sign = (documentId: string, signer: string | null, options: { signedVersion?: number; kind?: string } = {}) =>
  h.deliver(signatureAppliedType, {
    ...signatureApplied({
      documentId,
      kind: (options.kind ?? 'consultation-answer') as 'initial',
      signer,
      signedVersion: options.signedVersion ?? 1,
      version: (options.signedVersion ?? 1) + 1,
    }),
    signedAt: h.now.value.toISOString(),
  });

async function documentCount(): Promise<number> {
  const { rows } = await h.documentsFixture.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM documents');
  return (rows[0] as { n: number }).n;
}

// The agency's directory (documents' organisations and people) names the opener and two members; the leader is not
// listed, so the summary names them by user id.
const fullNames = {
  [people.specialist.userId]: 'Nguyễn Thị Thu',
  [people.unitLeader.userId]: 'Trần Văn Phong',
  [people.formatChecker.userId]: 'Lê Thị Kiểm',
};
beforeAll(async () => {
  const imported = await documentsCall(people.admin, 'POST', '/v1/organisations/imports', {
    organisations: [
      {
        code: people.specialist.agencyCode,
        name: 'Ủy ban nhân dân tỉnh Thử Nghiệm',
        abbreviation: 'UBND',
        people: Object.entries(fullNames).map(([userId, fullName]) => ({ userId, fullName })),
      },
    ],
  });
  expect(imported.statusCode).toBeLessThan(300);
});

test('signed answers count only by the member’s signature on their sheet; the summary goes to the dossier', async () => {
  const document = await h.uploadDraft(people.specialist, { subject: 'Dự thảo Kế hoạch chuyển đổi số năm 2027' });
  const dossier = await documentsCall(people.clerk, 'POST', '/v1/dossiers', {
    fileNotation: '05.KGVX',
    title: 'Hồ sơ xây dựng Kế hoạch chuyển đổi số năm 2027',
    maintenance: '10 năm',
  });
  expect(dossier.statusCode).toBe(201);
  const dossierId = dossier.json().id as string;
  expect(
    (await documentsCall(people.clerk, 'POST', `/v1/dossiers/${dossierId}/documents`, { documentId: document.id }))
      .statusCode,
  ).toBeLessThan(300);

  const question = 'Đề nghị cho ý kiến dự thảo Kế hoạch chuyển đổi số năm 2027';
  const members = [people.unitLeader.userId, people.formatChecker.userId, people.leader.userId];
  const opened = await h.call(people.specialist, 'POST', '/v1/consultations', {
    documentId: document.id,
    question,
    members,
    dueAt: inDays(3),
    signedAnswers: true,
  });
  expect(opened.statusCode).toBe(201);
  const consultation = opened.json();
  expect(consultation).toMatchObject({ signedAnswers: true, summaryDocumentId: null });
  const url = `/v1/consultations/${consultation.id}`;

  // An unsigned answer does not count here.
  const unsigned = await h.call(people.unitLeader, 'POST', `${url}/answers`, { answer: 'agree' });
  expect(unsigned.statusCode).toBe(409);
  expect(unsigned.json().detail).toMatch(/signed answers only/);

  const sheet = (who: Identity, body: unknown, headers: Record<string, string> = {}) =>
    h.call(who, 'POST', `${url}/answer-sheets`, body, headers);
  const documentsBefore = await documentCount();
  expect((await sheet(people.specialist2, { answer: 'agree' })).statusCode).toBe(403);
  expect((await sheet(people.outsider, { answer: 'agree' })).statusCode).toBe(404);
  expect((await sheet(people.unitLeader, { answer: 'disagree' })).statusCode).toBe(400); // needs its comment
  expect((await sheet(people.unitLeader, { answer: 'maybe' })).statusCode).toBe(400);
  // Refused requests stored nothing in documents.
  expect(await documentCount()).toBe(documentsBefore);
  const agreed = await sheet(people.unitLeader, { answer: 'agree' }, { 'idempotency-key': randomUUID() });
  expect(agreed.statusCode).toBe(201);
  const agreedSheet = agreed.json();
  // Routing's claim for signing: made with the service key, for this member, this sheet, version and digest.
  const claims = createServiceClaimVerifier(h.servicePublicKey)(agreedSheet.signingClaim, {
    audience: 'vanthu-signing:consultation-answer',
    serviceName: 'routing',
  });
  expect(claims).toMatchObject({
    agency: people.unitLeader.agencyCode,
    member: people.unitLeader.userId,
    consultationId: consultation.id,
    documentId: agreedSheet.documentId,
    version: 1,
    sha256: agreedSheet.sha256,
  });
  // Asked again (a client's retry without its key, or with another one): the same sheet, no second document.
  const again = await sheet(people.unitLeader, { answer: 'agree' });
  expect(again.statusCode).toBe(201);
  expect(again.json().documentId).toBe(agreedSheet.documentId);
  expect(await documentCount()).toBe(documentsBefore + 1);
  expect(agreedSheet).toMatchObject({ version: 1, answer: 'agree', state: 'awaiting-signature' });
  // The sheet is the member's own document in documents, with the answer written out.
  const sheetText = await pdfText(people.unitLeader, agreedSheet.documentId);
  expect(sheetText).toContain('PHIẾU LẤY Ý KIẾN');
  expect(sheetText).toContain('Ý kiến: Nhất trí');
  expect(sheetText).toMatch(/Nội dung xin ý kiến: Đề nghị cho ý kiến dự thảo Kế hoạch chuyển đổi số năm\s+2027/);
  expect(sheetText).toContain(`Thành viên: Trần Văn Phong (${people.unitLeader.userId})`);
  const stored = (await documentsCall(people.unitLeader, 'GET', `/v1/documents/${agreedSheet.documentId}`)).json();
  expect(stored.versions[0].sha256).toBe(agreedSheet.sha256);

  // Not the member, not the version routing stored, not a seal: the answer waits.
  const answersOf = async () =>
    Object.fromEntries(
      ((await h.call(people.specialist, 'GET', url)).json().members as { userId: string; answer: string | null }[]).map(
        (m) => [m.userId, m.answer],
      ),
    );
  expect(await sign(agreedSheet.documentId, people.formatChecker.userId)).toBe(true);
  expect(await sign(agreedSheet.documentId, people.unitLeader.userId, { signedVersion: 2 })).toBe(true);
  expect(await sign(agreedSheet.documentId, null, { kind: 'issue' })).toBe(true);
  // The member's initial is not their signed answer: only the consultation-answer kind is.
  expect(await sign(agreedSheet.documentId, people.unitLeader.userId, { kind: 'initial' })).toBe(true);
  expect((await answersOf())[people.unitLeader.userId]).toBeNull();
  // The member's own signature on the sheet: the answer counts, with its signature.
  const eventId = randomUUID();
  const signed = {
    ...signatureApplied({
      documentId: agreedSheet.documentId,
      kind: 'consultation-answer' as 'initial',
      signer: people.unitLeader.userId,
      signedVersion: 1,
      version: 2,
    }),
    signedAt: h.now.value.toISOString(),
  };
  expect(await h.deliver(signatureAppliedType, signed, eventId)).toBe(true);
  expect(await h.deliver(signatureAppliedType, signed, eventId)).toBe(false); // redelivered: the inbox drops it
  const afterFirst = (await h.call(people.specialist, 'GET', url)).json();
  expect(afterFirst.members.find((m: { userId: string }) => m.userId === people.unitLeader.userId)).toMatchObject({
    answer: 'agree',
    signatureId: signed.signatureId,
    onTime: true,
  });
  expect(await sign(agreedSheet.documentId, people.unitLeader.userId)).toBe(true); // a second signature changes nothing
  expect((await sheet(people.unitLeader, { answer: 'comments', comment: 'Đổi ý' })).statusCode).toBe(409);

  // A member who asks for a second sheet before signing replaces the first; a signature on the first no longer counts.
  const first = (await sheet(people.formatChecker, { answer: 'comments', comment: 'Bổ sung chỉ tiêu' })).json();
  const second = (
    await sheet(people.formatChecker, { answer: 'disagree', comment: 'Chưa đủ căn cứ pháp lý, đề nghị bổ sung' })
  ).json();
  expect(await sign(first.documentId, people.formatChecker.userId)).toBe(true);
  expect((await answersOf())[people.formatChecker.userId]).toBeNull();
  expect(await sign(second.documentId, people.formatChecker.userId)).toBe(true);
  expect((await answersOf())[people.formatChecker.userId]).toBe('disagree');
  const { rows: sheets } = await h.fixture.pool.query<{ document_id: string; state: string }>(
    'SELECT document_id, state FROM consultation_answer_sheets WHERE consultation_id = $1',
    [consultation.id],
  );
  expect(Object.fromEntries(sheets.map((s) => [s.document_id, s.state]))).toEqual({
    [agreedSheet.documentId]: 'accepted',
    [first.documentId]: 'superseded',
    [second.documentId]: 'accepted',
  });
  expect(
    (await outboxOf('vn.vanthu.consultation.answered.v1')).map((e) => [
      e.memberUserId,
      e.answer,
      e.answerSheetDocumentId,
    ]),
  ).toEqual([
    [people.unitLeader.userId, 'agree', agreedSheet.documentId],
    [people.formatChecker.userId, 'disagree', second.documentId],
  ]);

  // The deadline passes without the leader's answer; the opener closes: the summary lists them.
  h.now.value = new Date(h.now.value.getTime() + 4 * 86_400_000);
  const closed = await h.call(people.specialist, 'POST', `${url}/closure`);
  expect(closed.statusCode).toBe(200);
  const view = closed.json();
  expect(view).toMatchObject({ state: 'closed', unanswered: [people.leader.userId], summaryDossierId: dossierId });
  expect(view.summaryDocumentId).toEqual(expect.any(String));
  const text = await pdfText(people.clerk, view.summaryDocumentId);
  expect(text).toContain('TỔNG HỢP Ý KIẾN THÀNH VIÊN');
  expect(text).toContain('Kết quả: Nhất trí 1; Không nhất trí 1; Có ý kiến khác 0; trên 3 thành viên.');
  expect(text).toContain('Văn bản được lấy ý kiến: Dự thảo Kế hoạch chuyển đổi số năm 2027');
  expect(text).toContain('Thành viên chưa trả lời đến hạn');
  expect(text).toContain(`- ${people.leader.userId}: chưa trả lời`);
  // Members and the opener by their full names from the directory, not by user id.
  expect(text).toContain('Người lấy ý kiến: Nguyễn Thị Thu;');
  expect(text).toContain('Trần Văn Phong');
  expect(text).toContain('Lê Thị Kiểm');
  expect(text).not.toContain(people.unitLeader.userId);
  expect(text).not.toContain(people.formatChecker.userId);
  expect(text).toContain('Không nhất trí');
  expect(text).toContain('Chưa đủ căn cứ pháp lý');
  expect(text).toContain('Đã ký số');
  const filed = (await documentsCall(people.clerk, 'GET', `/v1/dossiers/${dossierId}`)).json();
  expect(filed.documents.map((d: { documentId: string }) => d.documentId)).toEqual([
    document.id,
    view.summaryDocumentId,
  ]);
  expect((await outboxOf('vn.vanthu.consultation.closed.v1')).at(-1)).toMatchObject({
    consultationId: consultation.id,
    summaryDocumentId: view.summaryDocumentId,
    unanswered: [people.leader.userId],
  });
  // A signature that comes after the close counts for nothing.
  const late = (await h.fixture.pool.query('SELECT count(*)::int AS n FROM consultation_answer_sheets')).rows[0].n;
  expect((await sheet(people.leader, { answer: 'agree' })).statusCode).toBe(409);
  expect((await h.fixture.pool.query('SELECT count(*)::int AS n FROM consultation_answer_sheets')).rows[0].n).toBe(
    late,
  );
});

test('a close that fails after documents stored its summary, retried later with other bytes, reuses that document', async () => {
  const document = await h.uploadDraft(people.specialist, { subject: 'Dự thảo Quy định về công tác văn thư' });
  const dossier = await documentsCall(people.clerk, 'POST', '/v1/dossiers', {
    fileNotation: '07.VP',
    title: 'Hồ sơ xây dựng Quy định về công tác văn thư',
    maintenance: '10 năm',
  });
  const dossierId = dossier.json().id as string;
  await documentsCall(people.clerk, 'POST', `/v1/dossiers/${dossierId}/documents`, { documentId: document.id });
  const question = 'Đề nghị góp ý dự thảo Quy định về công tác văn thư';
  const opened = (
    await h.call(people.specialist, 'POST', '/v1/consultations', {
      documentId: document.id,
      question,
      members: [people.unitLeader.userId, people.formatChecker.userId],
      dueAt: inDays(2),
    })
  ).json();
  const url = `/v1/consultations/${opened.id}`;
  expect((await h.call(people.unitLeader, 'POST', `${url}/answers`, { answer: 'agree' })).statusCode).toBe(200);
  const before = await documentCount();
  // Documents fails after it stored the summary (filing it in the dossier): the close rolls back and answers 503.
  const filing = jest
    .spyOn(DocumentsClient.prototype, 'fileIntoDossier')
    .mockRejectedValueOnce(new AppError('SERVICE_UNAVAILABLE', 'documents failed', { retryAfterSeconds: 5 }));
  try {
    const failed = await h.call(people.specialist, 'POST', `${url}/closure`);
    expect(failed.statusCode).toBe(503);
    expect((await h.call(people.specialist, 'GET', url)).json()).toMatchObject({
      state: 'open',
      summaryDocumentId: null,
    });
    expect(await documentCount()).toBe(before + 1);
    // An hour later the opener closes again: the summary says so (other bytes) and goes into the same document.
    h.now.value = new Date(h.now.value.getTime() + 3_600_000);
    const closed = await h.call(people.specialist, 'POST', `${url}/closure`);
    expect(closed.statusCode).toBe(200);
    expect(filing).toHaveBeenCalledTimes(2);
    const view = closed.json();
    expect(view).toMatchObject({ state: 'closed', summaryDossierId: dossierId });
    expect(await documentCount()).toBe(before + 1);
    const summary = (await documentsCall(people.clerk, 'GET', `/v1/documents/${view.summaryDocumentId}`)).json();
    expect(summary.subject).toBe(`Tổng hợp ý kiến: ${question}`);
    expect(summary.versions).toHaveLength(2);
    expect(summary.versions[0].sha256).not.toBe(summary.versions[1].sha256);
    const filed = (await documentsCall(people.clerk, 'GET', `/v1/dossiers/${dossierId}`)).json();
    expect(filed.documents.map((d: { documentId: string }) => d.documentId)).toEqual([
      document.id,
      view.summaryDocumentId,
    ]);
    // Closing a closed consultation is refused and stores nothing more.
    expect((await h.call(people.specialist, 'POST', `${url}/closure`)).statusCode).toBe(409);
    expect(await documentCount()).toBe(before + 1);
  } finally {
    filing.mockRestore();
  }
});

test('an unsigned consultation gets its summary too, listing a late answer; documents down, nothing closes', async () => {
  const document = await h.uploadDraft(people.specialist, { subject: 'Dự thảo Quy chế làm việc' });
  const opened = (
    await h.call(people.specialist, 'POST', '/v1/consultations', {
      documentId: document.id,
      question: 'Đề nghị góp ý dự thảo Quy chế làm việc',
      members: [people.unitLeader.userId, people.leader.userId],
      dueAt: inDays(2),
    })
  ).json();
  const url = `/v1/consultations/${opened.id}`;
  h.now.value = new Date(h.now.value.getTime() + 3 * 86_400_000);
  // Late, but it counts (and the summary says so); then the last answer closes it by the completion rule.
  expect((await h.call(people.unitLeader, 'POST', `${url}/answers`, { answer: 'agree' })).statusCode).toBe(200);
  const closing = await h.call(people.leader, 'POST', `${url}/answers`, { answer: 'comments', comment: 'Sửa Điều 3' });
  expect(closing.json()).toMatchObject({ state: 'closed', closeReason: 'completion-rule', summaryDossierId: null });
  const text = await pdfText(people.specialist, closing.json().summaryDocumentId);
  expect(text).toContain('Kết quả: Nhất trí 1; Không nhất trí 0; Có ý kiến khác 1; trên 2 thành viên.');
  expect(text).toMatch(/- Trần Văn Phong: trả lời muộn lúc/);
  expect(text).toMatch(new RegExp(`- ${people.leader.userId}: trả lời muộn lúc`));

  const third = (
    await h.call(people.specialist, 'POST', '/v1/consultations', {
      documentId: document.id,
      question: 'Lấy ý kiến lần hai',
      members: [people.unitLeader.userId],
      dueAt: inDays(2),
    })
  ).json();
  await h.stopDocuments();
  const refused = await h.call(people.specialist, 'POST', `/v1/consultations/${third.id}/closure`);
  expect(refused.statusCode).toBe(503);
  const { rows } = await h.fixture.pool.query('SELECT state FROM consultations WHERE id = $1', [third.id]);
  expect(rows).toEqual([{ state: 'open' }]);
});
