import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { deleteTokenKeyPair } from '../../infra/src/softhsm';
import { startTestStack } from '../support/test-stack';
import type { TestStack } from '../support/test-stack';
import { gatewayClient } from '../support/gateway-client';
import { queryOnce } from '../support/sql';

// Agency onboarding through the API (issue 15 item 4): an administrator has the agency's organisation seal key
// generated inside the HSM and gets a PKCS#10 request for the CA. Everything the service says is checked with
// tools that do not trust it: openssl for the request, pkcs11-tool for what the token holds.

// An agency of the sandbox province that has no bootstrap seal (HSM_SEALS lists only 000.00.00.H99 and 000.00.31.H99).
const agency = { code: '000.00.12.H99', name: 'Sở Tài chính tỉnh Thử Nghiệm', abbreviation: 'STC' };
const otherAgency = '000.31.41.H99';

type Key = { id: string; status: string; keyIdHex: string; csr: string; publicKey: string; subject: string };

let stack: TestStack;
let dir: string;
let admin: ReturnType<typeof gatewayClient>;
const generatedKeyIds: string[] = [];

const json = (method: string, url: string, body: unknown, client = admin, headers: Record<string, string> = {}) =>
  client.call(method, url, { body: Buffer.from(JSON.stringify(body)), contentType: 'application/json', headers });

const pkcs11Tool = (args: string[]): Buffer =>
  execFileSync(
    'pkcs11-tool',
    [
      '--module',
      stack.infra.hsm.modulePath,
      '--token-label',
      stack.infra.hsm.tokenLabel,
      '--login',
      '--pin',
      fs.readFileSync(stack.infra.hsm.pinFile, 'utf8').trim(),
      ...args,
    ],
    { env: { ...process.env, SOFTHSM2_CONF: stack.infra.hsm.confPath }, stdio: ['ignore', 'pipe', 'pipe'] },
  );

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'signing-keys-'));
  stack = await startTestStack('signingkeys');
  admin = gatewayClient(
    stack.gatewayUrl,
    await stack.token({ user: 'quan-tri-stc', agency: agency.code, roles: ['admin'] }),
  );
  const imported = await json('POST', '/v1/organisations/imports', {
    organisations: [{ ...agency, parentCode: null }],
  });
  expect(imported.status).toBe(200);
}, 180_000);

afterAll(async () => {
  await stack?.stop();
  // The token is shared by every stack on this machine: leave it as it was.
  for (const id of generatedKeyIds) await deleteTokenKeyPair(stack.infra.hsm, id);
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('POST /v1/signing-keys', () => {
  it('generates the key pair inside the HSM, non-extractable, and answers a PKCS#10 request naming the agency', async () => {
    const created = await json('POST', '/v1/signing-keys', { agencyCode: agency.code, algorithm: 'rsa-2048' });
    expect(created.status).toBe(201);
    const key = created.body as Key;
    generatedKeyIds.push(key.keyIdHex);
    expect(created.headers.get('location')).toBe(`/v1/signing-keys/${key.id}`);
    expect(key.status).toBe('pending');

    // The request: its self-signature verifies (the HSM key signed it), and its subject is what was asked for.
    const csrFile = path.join(dir, 'seal.csr');
    fs.writeFileSync(csrFile, key.csr);
    const verified = execFileSync(
      'openssl',
      ['req', '-in', csrFile, '-noout', '-verify', '-subject', '-nameopt', 'utf8,sep_comma_plus'],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
    );
    expect(verified.normalize('NFC').trim()).toBe(
      `subject=C=VN,O=${agency.name},serialNumber=${agency.code},CN=${agency.name}`,
    );
    // The agency's name is UTF8String (Vietnamese letters), its code a PrintableString.
    const asn1 = execFileSync('openssl', ['asn1parse', '-in', csrFile], { encoding: 'utf8' });
    expect(asn1).toMatch(new RegExp(`UTF8STRING\\s+:${agency.name}`));
    expect(asn1).toMatch(new RegExp(`PRINTABLESTRING\\s+:${agency.code.replace(/\./g, '\\.')}`));
    const csrKey = execFileSync('openssl', ['req', '-in', csrFile, '-noout', '-pubkey'], { encoding: 'utf8' });
    expect(csrKey).toBe(key.publicKey);

    // The token holds the pair under that id: the public half is the request's, the private half never leaves it.
    const tokenPublic = pkcs11Tool(['--read-object', '--type', 'pubkey', '--id', key.keyIdHex]);
    const fromToken = execFileSync('openssl', ['pkey', '-pubin', '-inform', 'DER', '-pubout'], {
      input: tokenPublic,
      encoding: 'utf8',
    });
    expect(fromToken).toBe(key.publicKey);
    const privateKeys = pkcs11Tool(['--list-objects', '--type', 'privkey']).toString('utf8');
    const entry = privateKeys.split(/(?=Private Key Object)/).find((o) => o.includes(key.keyIdHex));
    expect(entry).toMatch(/Access:\s+sensitive, always sensitive, never extractable, local/);

    // What signing stored, and the event in the same transaction.
    const rows = await queryOnce<{ status: string; key_id_hex: string; agency_code: string }>(
      stack.envs.signing.DATABASE_URL as string,
      'SELECT status, key_id_hex, agency_code FROM signing_keys WHERE id = $1',
      [key.id],
    );
    expect(rows).toEqual([{ status: 'pending', key_id_hex: key.keyIdHex, agency_code: agency.code }]);
    const events = await queryOnce<{ event_type: string; data: { signingKeyId: string; agencyCode: string } }>(
      stack.envs.signing.DATABASE_URL as string,
      'SELECT event_type, data FROM outbox WHERE message_key = $1',
      [key.id],
    );
    expect(events).toEqual([
      {
        event_type: 'vn.vanthu.signing-key.generated.v1',
        data: expect.objectContaining({ signingKeyId: key.id, agencyCode: agency.code, keyIdHex: key.keyIdHex }),
      },
    ]);

    const read = await admin.get(`/v1/signing-keys/${key.id}`);
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({ id: key.id, csr: key.csr, certificate: null });
  });

  it('refuses another role, another agency, a second pending key and an agency missing from the directory', async () => {
    const clerk = gatewayClient(
      stack.gatewayUrl,
      await stack.token({ user: 'van-thu-stc', agency: agency.code, roles: ['clerk'] }),
    );
    expect((await json('POST', '/v1/signing-keys', { agencyCode: agency.code }, clerk)).status).toBe(403);
    expect((await json('POST', '/v1/signing-keys', { agencyCode: otherAgency })).status).toBe(403);
    expect((await json('POST', '/v1/signing-keys', { agencyCode: 'not-a-code' })).status).toBe(400);
    expect((await json('POST', '/v1/signing-keys', { agencyCode: agency.code })).status).toBe(409);

    const outsider = gatewayClient(
      stack.gatewayUrl,
      await stack.token({ user: 'quan-tri-xa', agency: otherAgency, roles: ['admin'] }),
    );
    const missing = await json('POST', '/v1/signing-keys', { agencyCode: otherAgency }, outsider);
    expect(missing.status).toBe(422);
    expect((missing.body as { detail: string }).detail).toMatch(/not in the organisation directory/);
    // The agency's key is not the other agency's to read.
    const [first] = await queryOnce<{ id: string }>(
      stack.envs.signing.DATABASE_URL as string,
      'SELECT id FROM signing_keys WHERE agency_code = $1',
      [agency.code],
    );
    expect((await outsider.get(`/v1/signing-keys/${first?.id}`)).status).toBe(404);
    expect((await clerk.get(`/v1/signing-keys/${first?.id}`)).status).toBe(403);
  });
});
