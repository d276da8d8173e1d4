import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { createVanthuClient, softwareSigner, VanthuProblem } from '@vanthu/client';
import type { VanthuClient } from '@vanthu/client';
import { startTestStack } from '../support/test-stack';
import type { TestStack } from '../support/test-stack';
import { eventually } from '../support/wait';
import { makePdf } from '../support/pdfs';
import { pdfsig } from '../../services/signing/test/support';

// Signed consultation answers (lấy ý kiến, docs/domain/directives.md, Đà Nẵng §3b) through the gateway, as an
// integrator calls them: a specialist member, who is no leader, signs their answer sheet with their own token through
// signing's two-step session (kind consultation-answer, on routing's claim); signing refuses that kind without the
// claim, on another document, or with another member's claim, and still refuses the specialist an initial. The
// answers count from signing's events, and the close's summary names the members by their directory names and is
// sealed with the agency's organisation signature.

const ubnd = '000.00.00.H99';
let stack: TestStack;
let dir: string;
beforeAll(async () => {
  stack = await startTestStack('consultsign');
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'consultsign-e2e-'));
}, 240_000);
afterAll(async () => {
  await stack?.stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

type Person = { user: string; roles: string[]; unit?: string; pki?: string; fullName: string };
const people = {
  admin: { user: 'quan-tri-a', roles: ['admin'], fullName: 'Quản Trị Viên' },
  opener: { user: 'chuyen-vien-a', unit: 'kgvx', roles: ['specialist'], fullName: 'Đỗ Thu Hà' },
  // A specialist member: signing's initials and approvals are not theirs to make.
  specialist: { user: 'binh', unit: 'vp', roles: ['specialist'], pki: 'tran-thi-binh', fullName: 'Trần Thị Bình' },
  unitLeader: {
    user: 'cuong',
    unit: 'kgvx',
    roles: ['unit-leader'],
    pki: 'le-hoang-cuong',
    fullName: 'Lê Hoàng Cường',
  },
} satisfies Record<string, Person>;
type Who = keyof typeof people;

const clients = new Map<Who, VanthuClient>();
async function as(who: Who): Promise<VanthuClient> {
  let client = clients.get(who);
  if (!client) {
    const p: Person = people[who];
    const token = await stack.token({
      user: p.user,
      agency: ubnd,
      roles: p.roles,
      ...(p.unit ? { unit: p.unit } : {}),
    } as never);
    client = createVanthuClient({ baseUrl: stack.gatewayUrl, token });
    clients.set(who, client);
  }
  return client;
}

function tokenOf(who: Who) {
  const slug = (people[who] as Person).pki;
  const p = slug ? stack.infra.pki.persons[slug] : undefined;
  if (!p) throw new Error(`${who} has no certificate`);
  return softwareSigner({ privateKey: fs.readFileSync(p.keyPath), certificates: [fs.readFileSync(p.certPath)] });
}

type Sheet = { documentId: string; version: number; sha256: string; state: string; signingClaim: string | null };
type Consultation = {
  id: string;
  state: string;
  members: { userId: string; answer: string | null; signatureId: string | null }[];
  summaryDocumentId: string | null;
};

/** The status a refused call answered with. */
async function refusal(call: Promise<unknown>): Promise<number> {
  const error = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof VanthuProblem)) throw new Error(`expected a problem, got ${String(error)}`);
  return error.status;
}

it('a specialist member signs their answer sheet with their token on routing’s claim, and only that sheet', async () => {
  await (
    await as('admin')
  ).POST('/v1/organisations/imports', {
    body: {
      organisations: [
        {
          code: ubnd,
          name: 'Ủy ban nhân dân tỉnh Thử Nghiệm',
          abbreviation: 'UBND',
          people: Object.values(people).map((p) => ({ userId: p.user, fullName: p.fullName })),
        },
      ],
    } as never,
  });
  for (const who of ['specialist', 'unitLeader'] as const) {
    const p = stack.infra.pki.persons[people[who].pki];
    const registered = (await (
      await as(who)
    ).POST('/v1/certificates', {
      body: { certificate: fs.readFileSync(p?.certPath as string, 'utf8') } as never,
    })) as unknown as { id: string };
    await (await as('admin')).POST('/v1/certificates/{id}/activate', { params: { path: { id: registered.id } } });
    await eventually(
      async () =>
        (await (
          await as('admin')
        ).GET('/v1/certificate-gating/persons/{userId}', {
          params: { path: { userId: people[who].user } },
        })) as unknown as { assignable: boolean; because?: string },
      (v) => v.assignable && v.because === 'active-certificate',
      60_000,
      `${who}'s activated certificate in routing`,
    );
  }
  const opener = await as('opener');
  const draft = await opener.uploadDocument(
    await makePdf('du-thao-ke-hoach-chuyen-doi-so-2027'),
    { direction: 'internal', subject: 'Dự thảo Kế hoạch chuyển đổi số năm 2027' },
    { filename: 'du-thao.pdf' },
  );
  const consultation = (await opener.POST('/v1/consultations', {
    body: {
      documentId: draft.id,
      question: 'Đề nghị cho ý kiến dự thảo Kế hoạch chuyển đổi số năm 2027',
      members: [people.specialist.user, people.unitLeader.user],
      dueAt: new Date(Date.now() + 3 * 86_400_000).toISOString(),
      signedAnswers: true,
    } as never,
  })) as unknown as Consultation;
  const sheetOf = async (who: Who, body: Record<string, unknown>) =>
    (await (
      await as(who)
    ).POST('/v1/consultations/{id}/answer-sheets', {
      params: { path: { id: consultation.id } },
      body: body as never,
    })) as unknown as Sheet;
  const specialistSheet = await sheetOf('specialist', { answer: 'agree' });
  const leaderSheet = await sheetOf('unitLeader', { answer: 'comments', comment: 'Bổ sung chỉ tiêu số hóa hồ sơ' });
  expect(specialistSheet.signingClaim).toEqual(expect.any(String));

  const specialist = await as('specialist');
  const sign = (who: Who, documentId: string, extra: Record<string, unknown>) =>
    as(who).then((client) =>
      client.signWithToken({ documents: [documentId], level: 'B-B', signer: tokenOf(who), ...extra } as never),
    );
  // Still no initial for a specialist, not even on their own sheet.
  expect(await refusal(sign('specialist', specialistSheet.documentId, { kind: 'initial' }))).toBe(403);
  // The consultation-answer kind needs routing's claim, for this caller and this very document.
  expect(await refusal(sign('specialist', specialistSheet.documentId, { kind: 'consultation-answer' }))).toBe(403);
  const withClaim = (claim: string | null) => ({ kind: 'consultation-answer', answerSheetClaim: claim });
  expect(await refusal(sign('specialist', draft.id, withClaim(specialistSheet.signingClaim)))).toBe(403);
  expect(await refusal(sign('specialist', leaderSheet.documentId, withClaim(leaderSheet.signingClaim)))).toBe(403);
  expect(
    await refusal(sign('specialist', specialistSheet.documentId, withClaim(`${specialistSheet.signingClaim}x`))),
  ).toBe(403);
  const [signed] = await sign('specialist', specialistSheet.documentId, withClaim(specialistSheet.signingClaim));
  expect(signed?.results[0]).toMatchObject({ outcome: 'signed', version: 2 });

  // Signing's record and an independent verifier.
  const signatures = (await specialist.GET('/v1/documents/{id}/signatures', {
    params: { path: { id: specialistSheet.documentId } },
  })) as unknown as { kind: string; signerUserId: string | null }[];
  expect(signatures.map((s) => [s.kind, s.signerUserId])).toEqual([['consultation-answer', people.specialist.user]]);
  const content = await specialist.raw.GET('/v1/documents/{id}/content', {
    params: { path: { id: specialistSheet.documentId } },
    parseAs: 'arrayBuffer',
  });
  const file = path.join(dir, 'phieu-lay-y-kien.pdf');
  fs.writeFileSync(file, Buffer.from(content.data as ArrayBuffer));
  const sigs = pdfsig(file);
  expect(sigs).toHaveLength(1);
  expect(sigs[0]?.valid).toBe(true);

  // Routing counts the answer from signing's event; the leader's signed answer meets the rule (all) and closes it.
  const view = async () =>
    (await opener.GET('/v1/consultations/{id}', {
      params: { path: { id: consultation.id } },
    })) as unknown as Consultation;
  await eventually(
    view,
    (c) => c.members.find((m) => m.userId === people.specialist.user)?.answer === 'agree',
    60_000,
    'the specialist’s signed answer in routing',
  );
  await sign('unitLeader', leaderSheet.documentId, withClaim(leaderSheet.signingClaim));
  const closed = await eventually(view, (c) => c.state === 'closed', 60_000, 'the consultation closed');
  expect(closed.members.every((m) => m.signatureId !== null)).toBe(true);
  const summary = await opener.raw.GET('/v1/documents/{id}/content', {
    params: { path: { id: closed.summaryDocumentId as string } },
    parseAs: 'arrayBuffer',
  });
  const summaryFile = path.join(dir, 'tong-hop-y-kien.pdf');
  fs.writeFileSync(summaryFile, Buffer.from(summary.data as ArrayBuffer));
  // Sealed with the agency's organisation signature: routing had signing seal it (service seal, kind
  // consultation-summary) and stored the sealed file as the summary's next version.
  const summarySeals = pdfsig(summaryFile);
  expect(summarySeals).toHaveLength(1);
  expect(summarySeals[0]?.valid).toBe(true);
  expect(execFileSync('pdfsig', [summaryFile], { encoding: 'utf8' })).toContain(`serialNumber=${ubnd}`);
  const summaryVersions = (
    (await opener.GET('/v1/documents/{id}', {
      params: { path: { id: closed.summaryDocumentId as string } },
    })) as unknown as { versions: { kind: string }[] }
  ).versions.map((v) => v.kind);
  expect(summaryVersions).toEqual(['upload', 'signature']);
  const text = execFileSync('pdftotext', ['-layout', summaryFile, '-'], { encoding: 'utf8' }).normalize('NFC');
  expect(text).toContain('Người lấy ý kiến: Đỗ Thu Hà;');
  expect(text).toContain('Trần Thị Bình');
  expect(text).toContain('Lê Hoàng Cường');
  expect(text).toContain('Kết quả: Nhất trí 1; Không nhất trí 0; Có ý kiến khác 1; trên 2 thành viên.');
});
