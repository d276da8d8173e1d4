import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createVanthuClient } from '@vanthu/client';
import { startTestStack } from '../../test/support/test-stack';
import type { TestStack } from '../../test/support/test-stack';
import { sandboxAgencies, seedSandbox } from '../src/sandbox';
import type { SandboxManifest } from '../src/sandbox';
import { firstCongVan } from '../src/sandbox-walkthrough';

// `npm run sandbox` against the whole system started as separate processes: it seeds, its tokens answer, the
// walk-through issues a công văn with them, and a second run changes nothing.

let stack: TestStack;
let outDir: string;
let first: SandboxManifest;

beforeAll(async () => {
  stack = await startTestStack('sandbox');
  outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vanthu-sandbox-'));
  first = await seedSandbox({ gatewayUrl: stack.gatewayUrl, infra: stack.infra, outDir });
}, 300_000);
afterAll(async () => {
  await stack?.stop();
  if (outDir) fs.rmSync(outDir, { recursive: true, force: true });
});

describe('the seeded sandbox', () => {
  it('seeds agencies, people, certificates and documents at every stage, and writes them down', async () => {
    const written = JSON.parse(fs.readFileSync(path.join(outDir, 'sandbox.json'), 'utf8')) as SandboxManifest;
    expect(written.documents).toEqual(first.documents);
    expect(first.logins.map((l) => l.role).sort()).toEqual(
      [
        'admin',
        'agency-leader',
        'clerk',
        'dossier-inspector',
        'format-checker',
        'report-collector',
        'specialist',
        'unit-leader',
      ].sort(),
    );
    expect(Object.fromEntries(first.documents.map((d) => [d.stage, d.status]))).toEqual({
      draft: 'draft',
      approved: 'draft',
      issued: 'issued',
      incoming: 'registered',
    });
    expect(first.documents.find((d) => d.stage === 'approved')?.version).toBe(2);

    const admin = createVanthuClient({
      baseUrl: stack.gatewayUrl,
      token: first.logins.find((l) => l.role === 'admin')!.token,
    });
    for (const agency of sandboxAgencies) {
      const organisation = await admin.GET('/v1/organisations/{code}', { params: { path: { code: agency.code } } });
      expect(organisation).toMatchObject({ code: agency.code, name: agency.name });
    }
    const certificates = await admin.GET('/v1/certificates');
    const signers = first.logins.filter((l) => l.certPath);
    expect(signers.length).toBe(3);
    for (const signer of signers) {
      expect(fs.existsSync(signer.keyPath!)).toBe(true);
      expect(certificates.filter((c) => c.userId === signer.user).map((c) => c.status)).toEqual(['active']);
    }
  });

  it('prints tokens that answer, and the walk-through issues a công văn signed with the Chairman’s key', async () => {
    for (const login of first.logins) {
      const client = createVanthuClient({ baseUrl: stack.gatewayUrl, token: login.token });
      // Every role may read its agency's registers.
      await expect(client.GET('/v1/registers')).resolves.toHaveProperty('items');
    }
    const result = await firstCongVan(first);
    expect(result.status).toBe('issued');
    expect(result.number).toBeTruthy();
    expect(result.signatures.map((s) => [s.kind, s.signer])).toEqual([
      ['approval', 'an'],
      ['issue', null],
    ]);
  });

  it('seeding twice changes nothing', async () => {
    const again = await seedSandbox({ gatewayUrl: stack.gatewayUrl, infra: stack.infra, outDir });
    expect(again.created).toEqual([]);
    expect(again.documents).toEqual(first.documents);
    expect(again.registers).toEqual(first.registers);
    const admin = createVanthuClient({
      baseUrl: stack.gatewayUrl,
      token: again.logins.find((l) => l.role === 'admin')!.token,
    });
    const certificates = await admin.GET('/v1/certificates');
    expect(certificates.filter((c) => c.status === 'active').length).toBe(3);
  });
});
