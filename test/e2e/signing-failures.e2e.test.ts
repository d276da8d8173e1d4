import fs from 'node:fs';
import { sign as nodeSign } from 'node:crypto';
import { startTestStack } from '../support/test-stack';
import type { TestStack } from '../support/test-stack';
import { certificateDer, gatewayClient } from '../support/gateway-client';
import { multipartBody } from '../support/multipart';
import { queryOnce } from '../support/sql';
import { agencyA, agencyB } from '../support/identities';
import { makeCongVan } from '../../services/signing/test/fixtures/cong-van';
import { blueSignaturePng } from '../../services/signing/test/fixtures/images';
import { pdfsig } from '../../services/signing/test/support';
import { assembleCms, buildSignedAttributes } from '../../services/signing/src/pades/cms';
import { toCert } from '../../services/signing/src/x509/certificate';
import { pyhankoCorpus } from '../support/corpus';

// Bad input and failure of the signing service through the gateway: each gets a clear
// problem+json and leaves no version behind; prepared sessions survive a restart; a batch
// reports per document.
let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack('signfail');
});
afterAll(async () => {
  await stack?.stop();
});

type Client = ReturnType<typeof gatewayClient>;
const post = (client: Client, url: string, body: unknown) =>
  client.call('POST', url, { body: Buffer.from(JSON.stringify(body)), contentType: 'application/json' });
const isProblem = (r: { headers: Headers; body: unknown }, code: string): void => {
  expect(r.headers.get('content-type')).toMatch(/application\/problem\+json/);
  expect((r.body as { code: string }).code).toBe(code);
};

async function setup() {
  const clerk = gatewayClient(stack.gatewayUrl, await stack.token({ user: 'vt', agency: agencyA, roles: ['clerk'] }));
  const admin = gatewayClient(stack.gatewayUrl, await stack.token({ user: 'qt', agency: agencyA, roles: ['admin'] }));
  const leaderInfo = stack.infra.pki.persons['nguyen-van-an'];
  if (!leaderInfo) throw new Error('no test person');
  const leader = gatewayClient(
    stack.gatewayUrl,
    await stack.token({ user: 'an', agency: agencyA, roles: ['agency-leader'], name: 'Nguyễn Văn An' } as never),
  );
  return { clerk, admin, leader, leaderInfo, leaderKey: fs.readFileSync(leaderInfo.keyPath, 'utf8') };
}

async function upload(clerk: Client, pdf: Buffer): Promise<string> {
  const created = await clerk.uploadDocument(pdf, { direction: 'outgoing', subject: 'Về việc thử ký số' });
  expect(created.status).toBe(201);
  return (created.body as { id: string }).id;
}

describe('signing failures through the gateway', () => {
  let ctx: Awaited<ReturnType<typeof setup>>;
  beforeAll(async () => {
    ctx = await setup();
    const { body, contentType } = multipartBody([
      { name: 'metadata', value: JSON.stringify({ kind: 'signature' }) },
      { name: 'file', value: blueSignaturePng(), filename: 's.png', contentType: 'image/png' },
    ]);
    expect((await ctx.leader.call('POST', '/v1/signature-images', { body, contentType })).status).toBe(201);
  });

  it('certificate registry: expired, revoked and foreign certificates are refused; adoption is counted per agency', async () => {
    const pki = stack.infra.pki.persons;
    const expired = await post(ctx.leader, '/v1/certificates', {
      certificate: fs.readFileSync(pki['vo-thi-em']?.certPath ?? '', 'utf8'),
    });
    expect(expired.status).toBe(422);
    isProblem(expired, 'UNPROCESSABLE');
    expect((expired.body as { detail: string }).detail).toMatch(/expired/);
    const revoked = await post(ctx.leader, '/v1/certificates', {
      certificate: fs.readFileSync(pki['pham-van-duc']?.certPath ?? '', 'utf8'),
    });
    expect(revoked.status).toBe(422);
    expect((revoked.body as { detail: string }).detail).toMatch(/revoked/);
    const notACert = await post(ctx.leader, '/v1/certificates', { certificate: 'A'.repeat(200) });
    expect(notACert.status).toBe(400);
    const mine = await post(ctx.leader, '/v1/certificates', {
      certificate: fs.readFileSync(ctx.leaderInfo.certPath, 'utf8'),
    });
    expect(mine.status).toBe(201);
    const someoneElse = gatewayClient(
      stack.gatewayUrl,
      await stack.token({ user: 'other', agency: agencyA, roles: ['specialist'] }),
    );
    const stolen = await post(someoneElse, '/v1/certificates', {
      certificate: fs.readFileSync(ctx.leaderInfo.certPath, 'utf8'),
    });
    expect(stolen.status).toBe(409);
    // Registered but not activated: signing is refused.
    const documentId = await upload(ctx.clerk, await makeCongVan({ pages: 1 }));
    const early = await post(ctx.leader, '/v1/signing-sessions', {
      kind: 'approval',
      positionText: 'CHỦ TỊCH',
      certificate: certificateDer(ctx.leaderInfo.certPath),
      documents: [{ documentId }],
    });
    expect(early.status).toBe(403);
    const notAdmin = await post(ctx.leader, `/v1/certificates/${(mine.body as { id: string }).id}/activate`, {});
    expect(notAdmin.status).toBe(403);
    expect((await post(ctx.admin, `/v1/certificates/${(mine.body as { id: string }).id}/activate`, {})).status).toBe(
      200,
    );
    const collector = gatewayClient(
      stack.gatewayUrl,
      await stack.token({ user: 'skhcn', agency: agencyB, roles: ['report-collector'] }),
    );
    const adoption = await collector.get(`/v1/certificates/adoption?agency=${agencyA}`);
    expect(adoption.body).toEqual([{ agencyCode: agencyA, registeredUsers: 1, activeUsers: 1 }]);
  });

  it('an unparseable PDF, a wrong signature value and an expired session are clear problems that store nothing', async () => {
    // Files the documents service stores (its check is lighter) but that cannot be signed.
    const corpus = pyhankoCorpus;
    const candidates = [
      'circular-page-tree.pdf',
      'minimal-startxref-hopeless.pdf',
      'broken-objstream1.pdf',
      'broken-objstream3.pdf',
      'minimal-aes256.pdf',
    ];
    let refused = 0;
    for (const name of candidates) {
      const created = await ctx.clerk.uploadDocument(fs.readFileSync(`${corpus}/${name}`), {
        direction: 'outgoing',
        subject: `Tệp ${name}`,
      });
      if (created.status !== 201) continue;
      const id = (created.body as { id: string }).id;
      const r = await post(ctx.clerk, `/v1/documents/${id}/signatures`, {
        kind: 'attachment',
        notation: '1/UBND-VP',
        level: 'B-B',
      });
      expect({ name, status: r.status }).toEqual({ name, status: 422 });
      isProblem(r, 'UNPROCESSABLE');
      expect((r.body as { detail: string }).detail).toMatch(/not a PDF that can be signed|encrypted/);
      expect(((await ctx.clerk.get(`/v1/documents/${id}`)).body as { currentVersion: number }).currentVersion).toBe(1);
      refused += 1;
    }
    expect(refused).toBeGreaterThanOrEqual(2);
    const documentId = await upload(ctx.clerk, await makeCongVan({ pages: 1 }));
    const prepared = await post(ctx.leader, '/v1/signing-sessions', {
      kind: 'approval',
      positionText: 'CHỦ TỊCH',
      level: 'B-T',
      documents: [{ documentId }],
    });
    expect(prepared.status).toBe(201);
    const session = prepared.body as { id: string; items: { dataToSign: string }[] };
    const wrongKey = fs.readFileSync(stack.infra.pki.persons['tran-thi-binh']?.keyPath ?? '', 'utf8');
    const mismatch = await post(ctx.leader, `/v1/signing-sessions/${session.id}/complete`, {
      certificateChain: [certificateDer(ctx.leaderInfo.certPath)],
      items: [
        {
          documentId,
          signatureValue: nodeSign(
            'sha256',
            Buffer.from(session.items[0]?.dataToSign ?? '', 'base64'),
            wrongKey,
          ).toString('base64'),
        },
      ],
    });
    expect(mismatch.status).toBe(422);
    isProblem(mismatch, 'UNPROCESSABLE');
    // Another user's complete on this session answers like a missing one.
    const stranger = gatewayClient(
      stack.gatewayUrl,
      await stack.token({ user: 'x', agency: agencyA, roles: ['agency-leader'] }),
    );
    expect(
      (
        await post(stranger, `/v1/signing-sessions/${session.id}/complete`, {
          items: [{ documentId, signatureValue: 'AAAAAAAAAAAAAAAAAAAA' }],
        })
      ).status,
    ).toBe(404);
    await queryOnce(
      stack.envs.signing.DATABASE_URL as string,
      `UPDATE signing_sessions SET expires_at = now() - interval '1 second' WHERE id = $1`,
      [session.id],
    );
    const expired = await post(ctx.leader, `/v1/signing-sessions/${session.id}/complete`, {
      certificateChain: [certificateDer(ctx.leaderInfo.certPath)],
      items: [
        {
          documentId,
          signatureValue: nodeSign(
            'sha256',
            Buffer.from(session.items[0]?.dataToSign ?? '', 'base64'),
            ctx.leaderKey,
          ).toString('base64'),
        },
      ],
    });
    expect(expired.status).toBe(422);
    expect((expired.body as { detail: string }).detail).toMatch(/expired/);
    expect(
      ((await ctx.clerk.get(`/v1/documents/${documentId}`)).body as { currentVersion: number }).currentVersion,
    ).toBe(1);
  });

  it('server-side signing with an Idempotency-Key replays the first result and adds one version only', async () => {
    const id = await upload(ctx.clerk, await makeCongVan({ pages: 1 }));
    const body = {
      body: Buffer.from(JSON.stringify({ kind: 'attachment', notation: '7/UBND-VP', level: 'B-B' })),
      contentType: 'application/json',
      headers: { 'idempotency-key': `attach-${id}` },
    };
    const first = await ctx.clerk.call('POST', `/v1/documents/${id}/signatures`, body);
    expect(first.status).toBe(201);
    const second = await ctx.clerk.call('POST', `/v1/documents/${id}/signatures`, body);
    expect(second.status).toBe(201);
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    expect(second.body).toEqual(first.body);
    expect(((await ctx.clerk.get(`/v1/documents/${id}`)).body as { currentVersion: number }).currentVersion).toBe(2);
    const reused = await ctx.clerk.call('POST', `/v1/documents/${id}/signatures`, {
      ...body,
      body: Buffer.from(JSON.stringify({ kind: 'attachment', notation: '8/UBND-VP', level: 'B-B' })),
    });
    expect(reused.status).toBe(422);
    isProblem(reused, 'IDEMPOTENCY_KEY_REUSED');
  });

  it('the certificate may be unknown at prepare: complete then carries a whole CMS built by the client', async () => {
    const cuongInfo = stack.infra.pki.persons['le-hoang-cuong'];
    if (!cuongInfo) throw new Error('no test person');
    const cuong = gatewayClient(
      stack.gatewayUrl,
      await stack.token({ user: 'cuong', agency: agencyA, roles: ['unit-leader'], name: 'Lê Hoàng Cường' } as never),
    );
    const documentId = await upload(ctx.clerk, await makeCongVan({ pages: 1 }));
    const prepared = await post(cuong, '/v1/signing-sessions', {
      kind: 'initial',
      step: 'content',
      level: 'B-B',
      documents: [{ documentId }],
    });
    expect(prepared.status).toBe(201);
    const session = prepared.body as { id: string; items: { dataToSign: string | null; documentDigest: string }[] };
    expect(session.items[0]?.dataToSign).toBeNull();
    const registered = await post(cuong, '/v1/certificates', {
      certificate: fs.readFileSync(cuongInfo.certPath, 'utf8'),
    });
    expect(
      (await post(ctx.admin, `/v1/certificates/${(registered.body as { id: string }).id}/activate`, {})).status,
    ).toBe(200);
    // The client (a VGCA-SignService-like agent) builds the CMS around the document digest itself.
    const certificate = toCert(Buffer.from(certificateDer(cuongInfo.certPath), 'base64'));
    const attributes = buildSignedAttributes(
      Buffer.from(session.items[0]?.documentDigest ?? '', 'base64'),
      certificate,
      'sha256',
    );
    const signatureValue = nodeSign('sha256', attributes.der, fs.readFileSync(cuongInfo.keyPath, 'utf8'));
    const cms = assembleCms({
      signedAttributesDer: attributes.der,
      signatureValue,
      certificate,
      chain: [],
      hash: 'sha256',
      scheme: 'rsa-pkcs1',
    });
    const done = await post(cuong, `/v1/signing-sessions/${session.id}/complete`, {
      items: [{ documentId, cms: cms.toString('base64') }],
    });
    expect(done.status).toBe(200);
    expect((done.body as { results: { outcome: string }[] }).results[0]?.outcome).toBe('signed');
    const file = `/tmp/signfail-cms-${session.id}.pdf`;
    fs.writeFileSync(file, (await ctx.clerk.get(`/v1/documents/${documentId}/content`)).raw);
    expect(pdfsig(file).map((s) => s.valid)).toEqual([true]);
    fs.rmSync(file);
  });

  it('a prepared batch survives a restart of the signing service; complete reports per document and is idempotent', async () => {
    const ids = [
      await upload(ctx.clerk, await makeCongVan({ pages: 1 })),
      await upload(ctx.clerk, await makeCongVan({ pages: 2 })),
      await upload(ctx.clerk, await makeCongVan({ pages: 1, signerName: 'Nguyễn Văn An' })),
    ];
    const tooMany = await post(ctx.leader, '/v1/signing-sessions', {
      kind: 'approval',
      documents: Array.from({ length: 201 }, () => ({ documentId: ids[0] })),
    });
    expect(tooMany.status).toBe(400);
    const prepared = await post(ctx.leader, '/v1/signing-sessions', {
      kind: 'approval',
      positionText: 'CHỦ TỊCH',
      level: 'B-B',
      documents: ids.map((documentId) => ({ documentId })),
    });
    expect(prepared.status).toBe(201);
    const session = prepared.body as { id: string; items: { documentId: string; dataToSign: string }[] };
    await stack.restart('signing');
    const items = session.items.map((item, i) => ({
      documentId: item.documentId,
      // The second document gets a value over other bytes: it fails alone.
      signatureValue: nodeSign(
        'sha256',
        i === 1 ? Buffer.from('not the prepared data') : Buffer.from(item.dataToSign, 'base64'),
        ctx.leaderKey,
      ).toString('base64'),
    }));
    const done = await post(ctx.leader, `/v1/signing-sessions/${session.id}/complete`, {
      certificateChain: [certificateDer(ctx.leaderInfo.certPath)],
      items,
    });
    expect(done.status).toBe(200);
    const results = (done.body as { results: { documentId: string; outcome: string }[] }).results;
    expect(results.map((r) => r.outcome)).toEqual(['signed', 'failed', 'signed']);
    const repeat = await post(ctx.leader, `/v1/signing-sessions/${session.id}/complete`, {
      certificateChain: [certificateDer(ctx.leaderInfo.certPath)],
      items,
    });
    expect(repeat.body).toEqual(done.body);
    for (const [i, id] of ids.entries()) {
      const doc = (await ctx.clerk.get(`/v1/documents/${id}`)).body as { currentVersion: number };
      expect(doc.currentVersion).toBe(i === 1 ? 1 : 2);
    }
    const signed = await ctx.clerk.get(`/v1/documents/${ids[0]}/content`);
    const file = `/tmp/signfail-${session.id}.pdf`;
    fs.writeFileSync(file, signed.raw);
    expect(pdfsig(file).map((s) => s.valid)).toEqual([true]);
    // The B-B approval is extended to B-LTA afterwards (DSS, VRI, document time-stamp) as version 3.
    const extended = await post(ctx.clerk, `/v1/documents/${ids[0]}/signatures/extend`, { level: 'B-LTA' });
    expect(extended.status).toBe(201);
    expect(extended.body).toMatchObject({ level: 'B-LTA', signedVersion: 2, version: 3 });
    fs.writeFileSync(file, (await ctx.clerk.get(`/v1/documents/${ids[0]}/content`)).raw);
    const after = pdfsig(file);
    expect(after[0]?.valid).toBe(true);
    expect(after[after.length - 1]?.type).toBe('unknown');
    fs.rmSync(file);
    // Nothing to extend on a document without signatures.
    const plain = await post(ctx.clerk, `/v1/documents/${ids[1]}/signatures/extend`, { level: 'B-LT' });
    expect(plain.status).toBe(422);
  });
});
