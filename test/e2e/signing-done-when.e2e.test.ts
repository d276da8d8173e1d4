import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sign as nodeSign } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { startTestStack } from '../support/test-stack';
import type { TestStack } from '../support/test-stack';
import { certificateDer, gatewayClient, json } from '../support/gateway-client';
import { gatewayPerson, signTwoStep, uploadSignatureImage } from '../support/gateway-signing';
import { agencyA } from '../support/identities';
import { queryOnce } from '../support/sql';
import { makeCongVan } from '../../services/signing/test/fixtures/cong-van';
import { blueSignaturePng, redSealPng } from '../../services/signing/test/fixtures/images';
import {
  coverageEnd,
  inkIn,
  lastRevisionIsOnlyDss,
  pdfsig,
  qpdfCheck,
  render,
} from '../../services/signing/test/support';
import { PdfReader } from '@vanthu/pdf';

// "Done when" of issue 4, through the gateway as integrators call it: a multi-page Vietnamese
// công văn gets two initials and the leader's approval by two-step signing (the test client
// signs with keys the server never sees), then the organisation seal from SoftHSM, at B-LT;
// poppler, qpdf and a rendering check the output independently.
let stack: TestStack;
let dir: string;
beforeAll(async () => {
  stack = await startTestStack('signing');
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'signing-e2e-'));
});
afterAll(async () => {
  await stack?.stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

type Client = ReturnType<typeof gatewayClient>;
const post = (client: Client, url: string, body: unknown) => client.call('POST', url, json(body));
const person = (user: string, roles: string[], name: string, pki: string) =>
  gatewayPerson(stack, { user, agency: agencyA, roles, name, pki });

describe('signing through the gateway', () => {
  it('two initials, the approval by two-step signing and the organisation seal from SoftHSM at B-LT pass pdfsig, qpdf and a rendering check', async () => {
    const clerk = gatewayClient(
      stack.gatewayUrl,
      await stack.token({ user: 'van-thu-a', agency: agencyA, roles: ['clerk'] }),
    );
    const admin = gatewayClient(
      stack.gatewayUrl,
      await stack.token({ user: 'quan-tri-a', agency: agencyA, roles: ['admin'] }),
    );
    const unitLeader = await person('cuong', ['unit-leader'], 'Lê Hoàng Cường', 'le-hoang-cuong');
    const checker = await person('binh', ['format-checker'], 'Trần Thị Bình', 'tran-thi-binh');
    const leader = await person('an', ['agency-leader'], 'Nguyễn Văn An', 'nguyen-van-an');

    const pdf = await makeCongVan({ pages: 3 });
    const created = await clerk.uploadDocument(pdf, { direction: 'outgoing', subject: 'Về việc triển khai chữ ký số' });
    expect(created.status).toBe(201);
    const documentId = (created.body as { id: string }).id;

    expect((await uploadSignatureImage(clerk, redSealPng(), { kind: 'seal', widthMm: 36 })).status).toBe(201);
    expect((await uploadSignatureImage(leader.client, blueSignaturePng(), { kind: 'signature' })).status).toBe(201);
    expect((await uploadSignatureImage(unitLeader.client, blueSignaturePng(), { kind: 'initial' })).status).toBe(201);
    // A seal image that is not red is refused on upload.
    const notRed = await uploadSignatureImage(clerk, blueSignaturePng(), { kind: 'seal' });
    expect(notRed.status).toBe(422);
    expect(notRed.headers.get('content-type')).toMatch(/application\/problem\+json/);

    // The seal before any approval is refused (NĐ 30/2020 Điều 32.2.d).
    const tooEarly = await post(clerk, `/v1/documents/${documentId}/signatures`, { kind: 'issue', level: 'B-LT' });
    expect(tooEarly.status).toBe(422);
    expect((tooEarly.body as { detail: string }).detail).toMatch(/32\.2\.d/);

    for (const p of [unitLeader, checker, leader]) {
      const registered = await post(p.client, '/v1/certificates', { certificate: fs.readFileSync(p.certPath, 'utf8') });
      expect(registered.status).toBe(201);
      const activated = await post(admin, `/v1/certificates/${(registered.body as { id: string }).id}/activate`, {});
      expect(activated.status).toBe(200);
    }
    // Signing with a certificate registered to someone else is refused.
    const foreign = await post(checker.client, '/v1/signing-sessions', {
      kind: 'initial',
      step: 'format',
      certificate: certificateDer(leader.certPath),
      documents: [{ documentId }],
    });
    expect(foreign.status).toBe(403);

    await signTwoStep(
      unitLeader,
      documentId,
      { kind: 'initial', step: 'content' },
      { level: 'B-LT', repeatComplete: true },
    );
    await signTwoStep(
      checker,
      documentId,
      { kind: 'initial', step: 'format' },
      { level: 'B-LT', repeatComplete: true },
    );

    // A signature value that does not match the prepared data is refused and stores nothing.
    const prepared = await post(leader.client, '/v1/signing-sessions', {
      kind: 'approval',
      positionText: 'CHỦ TỊCH',
      authorityPrefix: 'TM.',
      level: 'B-LT',
      documents: [{ documentId }],
    });
    const bad = await post(leader.client, `/v1/signing-sessions/${(prepared.body as { id: string }).id}/complete`, {
      certificateChain: [certificateDer(leader.certPath)],
      items: [
        {
          documentId,
          signatureValue: nodeSign('sha256', Buffer.from('something else'), leader.key).toString('base64'),
        },
      ],
    });
    expect(bad.status).toBe(422);
    expect((bad.body as { code: string }).code).toBe('UNPROCESSABLE');
    expect(((await clerk.get(`/v1/documents/${documentId}`)).body as { currentVersion: number }).currentVersion).toBe(
      3,
    );

    await signTwoStep(
      leader,
      documentId,
      { kind: 'approval', positionText: 'CHỦ TỊCH', authorityPrefix: 'TM.' },
      { level: 'B-LT', repeatComplete: true },
    );
    const sealed = await post(clerk, `/v1/documents/${documentId}/signatures`, { kind: 'issue', level: 'B-LT' });
    expect(sealed.status).toBe(201);
    const seal = sealed.body as { version: number; kind: string };
    expect(seal.version).toBe(5);

    const content = await clerk.get(`/v1/documents/${documentId}/content`);
    expect(content.status).toBe(200);
    const file = path.join(dir, 'signed.pdf');
    fs.writeFileSync(file, content.raw);
    // Every revision is an incremental update: version 1's bytes open the final file.
    expect(content.raw.subarray(0, pdf.length).equals(pdf)).toBe(true);
    const sigs = pdfsig(file);
    expect(sigs).toHaveLength(4);
    expect(sigs.every((s) => s.valid)).toBe(true);
    // Each signature covers its own revision; after the seal (B-LT) come only the DSS objects.
    expect(sigs.map((s) => s.total)).toEqual([false, false, false, false]);
    expect(lastRevisionIsOnlyDss(content.raw, coverageEnd(sigs[3]?.ranges ?? ''))).toBe(true);
    expect(qpdfCheck(file)).toMatch(/No syntax or stream encoding errors/);
    const reader = PdfReader.fromBuffer(content.raw);
    const dss = reader.resolveDict(reader.catalog().get('DSS'));
    expect(dss?.get('OCSPs')).toBeDefined();
    expect(dss?.get('CRLs')).toBeDefined();

    const signatures = (await clerk.get(`/v1/documents/${documentId}/signatures`)).body as {
      kind: string;
      appearance: { page: number; x: number; y: number; width: number; height: number };
    }[];
    expect(signatures.map((s) => s.kind)).toEqual(['initial', 'initial', 'approval', 'issue']);
    expect(signatures.map((s) => (s as unknown as { authorityPrefix: string | null }).authorityPrefix)).toEqual([
      null,
      null,
      'TM.',
      null,
    ]);
    const approval = signatures[2]?.appearance;
    if (!approval) throw new Error('no approval appearance');
    const png = render(file, approval.page + 1);
    const h = 841.89;
    expect(
      inkIn(png, h, { ...approval, x: approval.x + approval.width / 3 + 2, width: (approval.width * 2) / 3 - 2 }).blue,
    ).toBeGreaterThan(50);
    expect(inkIn(png, h, { ...approval, width: approval.width / 3 }).red).toBeGreaterThan(50);
    const text = execFileSync('pdftotext', ['-f', '3', '-l', '3', file, '-'], { encoding: 'utf8' }).normalize('NFC');
    expect(text).toContain('Lê Hoàng Cường');

    // Events went through the outbox in the same transactions.
    const events = await queryOnce<{ event_type: string; n: number }>(
      stack.envs.signing.DATABASE_URL as string,
      `SELECT event_type, count(*)::int AS n FROM outbox GROUP BY event_type ORDER BY event_type`,
    );
    expect(Object.fromEntries(events.map((e) => [e.event_type, e.n]))).toEqual({
      'vn.vanthu.certificate.activated.v1': 3,
      'vn.vanthu.certificate.registered.v1': 3,
      'vn.vanthu.signature.applied.v1': 4,
      'vn.vanthu.signing-session.completed.v1': 3,
      'vn.vanthu.signing-session.prepared.v1': 4,
    });

    // Administrators see key status and adoption.
    const keys = await admin.get('/v1/signing-keys');
    expect(keys.status).toBe(200);
    expect((keys.body as { keys: { usageCount: number; online: boolean }[] }).keys[0]).toMatchObject({ online: true });
  });
});
