import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { createVanthuClient } from '@vanthu/client';
import { deleteTokenKeyPair } from '../src/softhsm';
import { queryOnce } from '../../test/support/sql';
import { startTestStack } from '../../test/support/test-stack';
import type { TestStack } from '../../test/support/test-stack';
import { sandboxAgencies, seedSandbox } from '../src/sandbox';
import type { SandboxManifest } from '../src/sandbox';
import { firstCongVan } from '../src/sandbox-walkthrough';
import { eventually } from '../../test/support/wait';

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
  // The HSM token is shared by every stack on this machine: remove the seal keys this test had generated.
  if (stack) for (const seal of first?.seals ?? []) await deleteTokenKeyPair(stack.infra.hsm, seal.keyIdHex);
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
      // The staff directory came with it: every person with their unit and roles.
      expect(organisation.people).toEqual(expect.arrayContaining(agency.people));
    }
    const certificates = await admin.GET('/v1/certificates');
    // Everyone who signs in person in the outgoing process (both initials, the approval) holds an activated
    // certificate whose key is in the sandbox folder; the format checker's was issued for a key the sandbox made.
    const signers = first.logins.filter((l) => l.certPath);
    expect(signers.map((l) => l.role).sort()).toEqual(['agency-leader', 'format-checker', 'specialist', 'unit-leader']);
    for (const signer of signers) {
      expect(fs.existsSync(signer.keyPath!)).toBe(true);
      expect(certificates.filter((c) => c.userId === signer.user).map((c) => c.status)).toEqual(['active']);
      const verified = execFileSync('openssl', ['verify', '-CAfile', stack.infra.pki.chainPem, signer.certPath!], {
        encoding: 'utf8',
      });
      expect(verified.trim()).toBe(`${signer.certPath}: OK`);
    }
    const checker = signers.find((l) => l.role === 'format-checker')!;
    expect(
      execFileSync(
        'openssl',
        ['x509', '-noout', '-subject', '-nameopt', 'utf8,sep_comma_plus', '-in', checker.certPath!],
        { encoding: 'utf8' },
      ),
    ).toContain('CN=Hoàng Văn Khải');
    // Routing may give each of the outgoing process's people electronic work (after the 16/4/2026 gating date): by
    // an activated certificate, or the clerk by the head of the agency's written exception.
    for (const [role, because] of [
      ['specialist', 'active-certificate'],
      ['unit-leader', 'active-certificate'],
      ['format-checker', 'active-certificate'],
      ['agency-leader', 'active-certificate'],
      ['clerk', 'exception'],
    ] as const) {
      const user = first.logins.find((l) => l.role === role)!.user;
      await eventually(
        () => admin.GET('/v1/certificate-gating/persons/{userId}', { params: { path: { userId: user } } }),
        (v) => v.assignable && v.because === because,
        60_000,
        `${role} ${user} assignable by ${because}`,
      );
    }
  });

  it("onboards every agency's seal through the signing-keys API, and the issued công văn is sealed with that key (pdfsig)", async () => {
    expect(first.seals.map((s) => s.agencyCode).sort()).toEqual(sandboxAgencies.map((a) => a.code).sort());
    // What signing holds: one active key per agency, generated through the API (not the HSM_SEALS bootstrap).
    const keys = await queryOnce<{ id: string; agency_code: string; status: string; key_id_hex: string }>(
      stack.envs.signing.DATABASE_URL as string,
      'SELECT id, agency_code, status, key_id_hex FROM signing_keys ORDER BY agency_code',
    );
    expect(keys).toEqual(
      [...first.seals]
        .sort((a, b) => a.agencyCode.localeCompare(b.agencyCode))
        .map((s) => ({ id: s.signingKeyId, agency_code: s.agencyCode, status: 'active', key_id_hex: s.keyIdHex })),
    );
    for (const seal of first.seals) {
      // The certificate was issued by the test CA for the HSM's key: it chains to the root.
      const verified = execFileSync('openssl', ['verify', '-CAfile', stack.infra.pki.chainPem, seal.certPath], {
        encoding: 'utf8',
      });
      expect(verified.trim()).toBe(`${seal.certPath}: OK`);
    }

    const province = first.seals.find((s) => s.agencyCode === sandboxAgencies[0]!.code)!;
    const clerkToken = first.logins.find((l) => l.role === 'clerk')!.token;
    const clerk = createVanthuClient({ baseUrl: stack.gatewayUrl, token: clerkToken });
    const issued = first.documents.find((d) => d.stage === 'issued')!;
    const signatures = await clerk.GET('/v1/documents/{id}/signatures', { params: { path: { id: issued.id } } });
    const seal = signatures.find((s) => s.kind === 'issue');
    expect(seal).toMatchObject({ keyIdHex: province.keyIdHex, certificateSha256: province.certificateSha256 });
    expect(province.keyIdHex).not.toBe(
      stack.infra.hsm.seals.find((s) => s.agencyCode === province.agencyCode)?.keyIdHex,
    );

    const content = await fetch(`${stack.gatewayUrl}/v1/documents/${issued.id}/content?version=${seal!.version}`, {
      headers: { authorization: `Bearer ${clerkToken}` },
    });
    expect(content.status).toBe(200);
    const file = path.join(outDir, 'issued.pdf');
    fs.writeFileSync(file, Buffer.from(await content.arrayBuffer()));
    let report: string;
    try {
      report = execFileSync('pdfsig', [file], { encoding: 'utf8' });
    } catch (error) {
      report = String((error as { stdout?: string }).stdout ?? '');
    }
    const blocks = report
      .normalize('NFC')
      .split(/^Signature #\d+:/m)
      .slice(1);
    expect(blocks).toHaveLength(2); // the Chairman's approval, then the seal
    for (const block of blocks) expect(block).toContain('Signature Validation: Signature is Valid.');
    expect(blocks[1]).toContain(`Signer Certificate Common Name: ${sandboxAgencies[0]!.name}`);
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
    expect(again.seals).toEqual(first.seals);
    const admin = createVanthuClient({
      baseUrl: stack.gatewayUrl,
      token: again.logins.find((l) => l.role === 'admin')!.token,
    });
    const certificates = await admin.GET('/v1/certificates');
    expect(certificates.filter((c) => c.status === 'active').length).toBe(4);
    const clerk = again.logins.find((l) => l.role === 'clerk')!.user;
    const exceptions = await admin.GET('/v1/certificate-exceptions', { params: { query: { userId: clerk } } });
    expect(exceptions.items).toHaveLength(1);
  });
});
