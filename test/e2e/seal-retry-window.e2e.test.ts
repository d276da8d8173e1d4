import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { startTestStack } from '../support/test-stack';
import type { TestStack } from '../support/test-stack';
import { gatewayClient } from '../support/gateway-client';
import { agencyA } from '../support/identities';
import { makePdf } from '../support/pdfs';
import { pdfsig } from '../../services/signing/test/support';

// The window of issue 16 "Faults": documents stores the sealed bytes as the next version, and signing dies (or
// loses the answer) before its signature row commits. The client retries with the same Idempotency-Key, as it
// should; the document must end up sealed once, with the signature recorded on the version documents stored.
// Signing reaches documents through a trap that forwards the first version upload, lets documents commit it, and
// then cuts signing's connection instead of answering: for signing's database that is the same as a crash there.

let stack: TestStack;
let documentsPort = 0;
let armed = false;
const trap = http.createServer((request, response) => {
  const chunks: Buffer[] = [];
  request.on('data', (chunk: Buffer) => chunks.push(chunk));
  request.on('end', () => {
    const headers = { ...request.headers } as Record<string, string>;
    delete headers['content-length'];
    delete headers.connection;
    const cut = armed && request.method === 'POST' && /\/versions$/.test(request.url ?? '');
    fetch(`http://127.0.0.1:${documentsPort}${request.url}`, {
      method: request.method ?? 'GET',
      headers,
      ...(chunks.length > 0 ? { body: Buffer.concat(chunks) } : {}),
    })
      .then(async (upstream) => {
        const body = Buffer.from(await upstream.arrayBuffer());
        if (cut) {
          armed = false;
          request.socket.destroy(); // documents has committed the version; signing never hears of it
          return;
        }
        const out: Record<string, string> = {};
        upstream.headers.forEach((value, name) => {
          if (name !== 'content-length' && name !== 'transfer-encoding' && name !== 'content-encoding')
            out[name] = value;
        });
        response.writeHead(upstream.status, out).end(body);
      })
      .catch(() => request.socket.destroy());
  });
});

beforeAll(async () => {
  await new Promise<void>((resolve) => trap.listen(0, '127.0.0.1', resolve));
  const trapUrl = `http://127.0.0.1:${(trap.address() as AddressInfo).port}`;
  stack = await startTestStack('sealretry', { env: { signing: { DOCUMENTS_URL: trapUrl } } });
  documentsPort = stack.ports.documents;
}, 180_000);
afterAll(async () => {
  await stack?.stop();
  trap.close();
});

describe('a seal whose stored version was never recorded', () => {
  it('is recorded on that version by the retry with the same Idempotency-Key, not sealed again', async () => {
    const clerk = gatewayClient(stack.gatewayUrl, await stack.token({ user: 'vt', agency: agencyA, roles: ['clerk'] }));
    const created = await clerk.uploadDocument(await makePdf('cong van dinh kem'), {
      direction: 'outgoing',
      subject: 'Về việc ký số văn bản đính kèm',
    });
    expect(created.status).toBe(201);
    const id = (created.body as { id: string }).id;
    const seal = (key: string) =>
      clerk.call('POST', `/v1/documents/${id}/signatures`, {
        body: Buffer.from(JSON.stringify({ kind: 'attachment', notation: '12/UBND-VP', level: 'B-B' })),
        contentType: 'application/json',
        headers: { 'idempotency-key': key },
      });
    const key = `seal-${randomUUID()}`;

    armed = true;
    const lost = await seal(key);
    expect(lost.status).toBeGreaterThanOrEqual(500); // signing lost documents' answer
    const afterCrash = (await clerk.get(`/v1/documents/${id}`)).body as { currentVersion: number };
    expect(afterCrash.currentVersion).toBe(2); // ... but documents stored the sealed bytes
    expect((await clerk.get(`/v1/documents/${id}/signatures`)).body).toEqual([]);

    const retried = await seal(key);
    expect(retried.status).toBe(201);
    expect(retried.body).toMatchObject({ version: 2, signedVersion: 1, kind: 'attachment' });
    const document = (await clerk.get(`/v1/documents/${id}`)).body as { currentVersion: number };
    expect(document.currentVersion).toBe(2); // sealed once
    const signatures = (await clerk.get(`/v1/documents/${id}/signatures`)).body as { version: number }[];
    expect(signatures.map((s) => s.version)).toEqual([2]);
    const content = await clerk.call('GET', `/v1/documents/${id}/content?version=2`);
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'seal-retry-')), 'sealed.pdf');
    fs.writeFileSync(file, content.raw);
    const report = pdfsig(file);
    expect(report).toHaveLength(1);
    expect(report[0]?.valid).toBe(true);

    // A third try with the key replays the stored result; a new key seals again, on purpose.
    const replay = await seal(key);
    expect(replay.status).toBe(201);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect((await seal(`seal-${randomUUID()}`)).body).toMatchObject({ version: 3 });
  });
});
