import { execFileSync } from 'node:child_process';
import { X509Certificate, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { VanthuProblem, createVanthuClient, formData, pkcs11Signer, softwareSigner } from '@vanthu/client';
import type { VanthuClient } from '@vanthu/client';
import { startTestStack } from '../../../test/support/test-stack';
import type { TestStack } from '../../../test/support/test-stack';
import { freePort } from '../../../test/support/free-port';
import { agencyA, agencyB } from '../../../test/support/identities';
import { makePdf } from '../../../test/support/pdfs';
import { startServiceProcess, stopServiceProcess, waitUntilHealthy } from '../../../infra/src/supervisor';
import { makeCongVan } from '../../../services/signing/test/fixtures/cong-van';
import { blueSignaturePng } from '../../../services/signing/test/fixtures/images';
import { createSoftToken } from './support/soft-token';

// @vanthu/client against the whole system started as separate processes (the built services and gateway).

let stack: TestStack;
let clerk: VanthuClient;
let admin: VanthuClient;

const clientFor = async (user: string, roles: string[], agency = agencyA, name?: string): Promise<VanthuClient> =>
  createVanthuClient({
    baseUrl: stack.gatewayUrl,
    token: await stack.token({ user, agency, roles, ...(name ? { name } : {}) } as never),
  });

const person = (slug: string) => {
  const p = stack.infra.pki.persons[slug];
  if (!p) throw new Error(`no test person ${slug}`);
  return p;
};

/** Registers the person's certificate and has an administrator activate it (NĐ 68/2024: before they may sign). */
async function activeCertificate(client: VanthuClient, certPath: string): Promise<void> {
  const registered = await client.POST('/v1/certificates', {
    body: { certificate: fs.readFileSync(certPath, 'utf8') },
  });
  await admin.POST('/v1/certificates/{id}/activate', { params: { path: { id: registered.id } }, body: {} as never });
}

/** pdfsig (poppler) as an independent reader of the signed file: the signer names and that each one verifies. */
function pdfsigOf(pdf: Buffer): string {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'vanthu-client-')), 'signed.pdf');
  fs.writeFileSync(file, pdf);
  try {
    return execFileSync('pdfsig', ['-nocert', file], { encoding: 'utf8' });
  } catch (error) {
    return String((error as { stdout?: string }).stdout ?? error);
  } finally {
    fs.rmSync(path.dirname(file), { recursive: true, force: true });
  }
}

beforeAll(async () => {
  stack = await startTestStack('client');
  clerk = await clientFor('van-thu', ['clerk', 'specialist']);
  admin = await clientFor('quan-tri', ['admin']);
}, 240_000);
afterAll(async () => {
  await stack?.stop();
});

describe('@vanthu/client against a running vanthu', () => {
  it('uploads and reads typed documents, and throws typed problems with their code', async () => {
    const created = await clerk.uploadDocument(await makePdf('client-upload'), {
      direction: 'outgoing',
      subject: 'Về việc thử thư viện khách',
    });
    expect(created.currentVersion).toBe(1);
    const read = await clerk.GET('/v1/documents/{id}', { params: { path: { id: created.id } } });
    expect(read.subject).toBe('Về việc thử thư viện khách');
    const bytes = await clerk.GET('/v1/documents/{id}/content', {
      params: { path: { id: created.id } },
      parseAs: 'arrayBuffer',
    });
    expect(Buffer.from(bytes).subarray(0, 5).toString('latin1')).toBe('%PDF-');

    const stranger = await clientFor('khac', ['clerk'], agencyB);
    const notFound = await stranger
      .GET('/v1/documents/{id}', { params: { path: { id: created.id } } })
      .catch((e: unknown) => e);
    expect(notFound).toBeInstanceOf(VanthuProblem);
    expect(notFound).toMatchObject({ status: 404, code: 'NOT_FOUND' });
    expect((notFound as VanthuProblem).requestId).toBeTruthy();

    const invalid = await clerk.GET('/v1/documents/{id}', { params: { path: { id: 'not-a-uuid' } } }).catch((e) => e);
    expect(invalid).toMatchObject({ status: 400, code: 'VALIDATION_FAILED' });
    expect((invalid as VanthuProblem).errors.length).toBeGreaterThan(0);

    const anonymous = createVanthuClient({ baseUrl: stack.gatewayUrl });
    await expect(anonymous.GET('/v1/registers')).rejects.toMatchObject({ status: 401, code: 'UNAUTHENTICATED' });
  });

  it('puts an Idempotency-Key on every mutating call, so a repeat runs once', async () => {
    const pdf = await makePdf('client-idempotent');
    const metadata = { direction: 'outgoing' as const, subject: 'Về việc gửi lại' };
    const key = `client-${randomUUID()}`;
    const fixed = createVanthuClient({
      baseUrl: stack.gatewayUrl,
      token: await stack.token({ user: 'van-thu', agency: agencyA, roles: ['clerk', 'specialist'] }),
      idempotencyKey: () => key,
    });
    const first = await fixed.uploadDocument(pdf, metadata);
    const again = await fixed.uploadDocument(pdf, metadata);
    expect(again.id).toBe(first.id);
    // The default makes a fresh key per call: two uploads are two documents.
    const a = await clerk.uploadDocument(pdf, metadata);
    const b = await clerk.uploadDocument(pdf, metadata);
    expect(a.id).not.toBe(b.id);
    // The same key with another body is refused, with its code.
    await expect(fixed.uploadDocument(await makePdf('other'), metadata)).rejects.toMatchObject({
      code: 'IDEMPOTENCY_KEY_REUSED',
    });
  });

  it('walks a cursor-paginated list as an async iterator', async () => {
    const subjects = ['một', 'hai', 'ba', 'bốn', 'năm'].map((n) => `Văn bản nội bộ ${n}`);
    for (const subject of subjects) {
      await clerk.uploadDocument(await makePdf(`internal-${subjects.indexOf(subject)}`), {
        direction: 'internal',
        subject,
      });
    }
    const pages: number[] = [];
    const counting = createVanthuClient({
      baseUrl: stack.gatewayUrl,
      token: await stack.token({ user: 'van-thu', agency: agencyA, roles: ['clerk', 'specialist'] }),
      fetch: async (request) => {
        if (new URL(request.url).pathname === '/v1/documents') pages.push(1);
        return fetch(request);
      },
    });
    const seen: string[] = [];
    for await (const document of counting.paginate('/v1/documents', {
      params: { query: { direction: 'internal', limit: 2 } },
    }))
      seen.push(document.subject);
    expect(seen.sort()).toEqual([...subjects].sort());
    expect(pages.length).toBe(3);
  });

  it('signs with a software key in two steps: prepare, sign here, complete', async () => {
    const an = person('nguyen-van-an');
    const leader = await clientFor('an', ['agency-leader'], agencyA, an.name);
    await activeCertificate(leader, an.certPath);
    await leader.POST('/v1/signature-images', {
      body: formData({
        metadata: JSON.stringify({ kind: 'signature' }),
        file: { bytes: blueSignaturePng(), filename: 'chu-ky.png', contentType: 'image/png' },
      }),
    });
    const document = await clerk.uploadDocument(await makeCongVan({ pages: 1 }), {
      direction: 'outgoing',
      subject: 'Về việc ký số bằng thư viện khách',
    });
    const signer = softwareSigner({
      privateKey: fs.readFileSync(an.keyPath),
      certificates: [fs.readFileSync(an.certPath)],
    });
    const [result] = await leader.signWithToken({
      documents: [document.id],
      kind: 'approval',
      level: 'B-T',
      authorityPrefix: 'TM.',
      positionText: 'CHỦ TỊCH',
      signer,
    });
    expect(result?.results).toEqual([{ documentId: document.id, outcome: 'signed', version: 2, reason: null }]);
    const signatures = await clerk.GET('/v1/documents/{id}/signatures', { params: { path: { id: document.id } } });
    expect(signatures.map((s) => [s.kind, s.version, s.signerUserId])).toEqual([['approval', 2, 'an']]);
    const signed = await clerk.GET('/v1/documents/{id}/content', {
      params: { path: { id: document.id } },
      parseAs: 'arrayBuffer',
    });
    const report = pdfsigOf(Buffer.from(signed));
    expect(report).toContain('Signature is Valid');
    expect(report).toContain(new X509Certificate(fs.readFileSync(an.certPath)).subject.match(/CN=(.*)/)?.[1] ?? '?');
  });

  it('signs with a PKCS#11 token (SoftHSM2) whose key never leaves it', async () => {
    const cuong = person('le-hoang-cuong');
    const leader = await clientFor('cuong', ['unit-leader'], agencyA, cuong.name);
    await activeCertificate(leader, cuong.certPath);
    const token = createSoftToken(stack.infra.hsm.modulePath, cuong.keyPath, cuong.certPath);
    try {
      const documents = [];
      for (const pages of [1, 2]) {
        const d = await clerk.uploadDocument(await makeCongVan({ pages }), {
          direction: 'outgoing',
          subject: `Về việc ký nháy ${pages}`,
        });
        documents.push(d.id);
      }
      const signer = await pkcs11Signer({ modulePath: token.modulePath, tokenLabel: token.label, pin: token.pin });
      try {
        const der = (await signer.certificateChain())[0] as Uint8Array;
        expect(new X509Certificate(der).fingerprint256).toBe(
          new X509Certificate(fs.readFileSync(cuong.certPath)).fingerprint256,
        );
        const [result] = await leader.signWithToken({
          documents,
          kind: 'initial',
          step: 'content',
          level: 'B-B',
          signer,
        });
        expect(result?.results.map((r) => [r.outcome, r.version])).toEqual([
          ['signed', 2],
          ['signed', 2],
        ]);
      } finally {
        await signer.close?.();
      }
      const signed = await clerk.GET('/v1/documents/{id}/content', {
        params: { path: { id: documents[0] as string } },
        parseAs: 'arrayBuffer',
      });
      expect(pdfsigOf(Buffer.from(signed))).toContain('Signature is Valid');
      await expect(
        pkcs11Signer({ modulePath: token.modulePath, tokenLabel: token.label, pin: 'wrong-pin' }),
      ).rejects.toThrow(/PIN/);
    } finally {
      token.remove();
    }
  });

  it('honours the gateway’s Retry-After on 429 and then throws RATE_LIMITED', async () => {
    const port = await freePort();
    const gateway = startServiceProcess(
      'gateway',
      { ...stack.envs.gateway, PORT: String(port), RATE_LIMIT_PER_MINUTE: '2' },
      `test-client-limited-gateway-${port}`,
    );
    try {
      await waitUntilHealthy(`http://127.0.0.1:${port}/health/live`, gateway, 60_000);
      const waits: number[] = [];
      const limited = createVanthuClient({
        baseUrl: `http://127.0.0.1:${port}`,
        token: await stack.token({ user: `limited-${port}`, agency: agencyA, roles: ['clerk'] }),
        retry: { retries: 2, sleep: async (ms) => void waits.push(ms) },
      });
      await limited.GET('/v1/registers');
      await limited.GET('/v1/registers');
      const error = (await limited.GET('/v1/registers').catch((e: unknown) => e)) as VanthuProblem;
      expect(error).toBeInstanceOf(VanthuProblem);
      expect(error).toMatchObject({ status: 429, code: 'RATE_LIMITED' });
      expect(error.retryAfterSeconds).toBeGreaterThan(0);
      // Two retries, each waiting what the gateway said (it counts down within the minute).
      expect(waits).toHaveLength(2);
      for (const wait of waits) {
        expect(wait).toBeGreaterThan(0);
        expect(wait).toBeLessThanOrEqual(60_000);
      }
    } finally {
      await stopServiceProcess(gateway, 10_000);
    }
  });
});
