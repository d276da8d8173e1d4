import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { run } from '../src/exec';
import { queryOcsp } from '../src/ocsp';
import { tsaUrl } from '../src/tsa';
import { loadInfrastructure } from '../../test/support/infrastructure';

// The test PKI, OCSP responder and TSA the stack starts, checked with openssl itself rather
// than with the code that made them.
const { pki } = loadInfrastructure();
const verify = (certPath: string, extra: string[] = []) =>
  run('openssl', ['verify', '-CAfile', pki.rootCert, '-untrusted', pki.intermediateCert, ...extra, certPath]).then(
    (r) => r.stdout,
    (e: Error) => e.message,
  );

describe('test PKI shaped like the government one', () => {
  it('issues people certificates with exact Vietnamese UTF-8 names that chain to the root', async () => {
    const an = pki.persons['nguyen-van-an'];
    expect(an?.name).toBe('Nguyễn Văn An');
    const subject = (
      await run('openssl', [
        'x509',
        '-in',
        an?.certPath as string,
        '-noout',
        '-subject',
        '-nameopt',
        'utf8,sep_comma_plus',
      ])
    ).stdout;
    expect(subject).toContain('CN=Nguyễn Văn An');
    expect(await verify(an?.certPath as string)).toMatch(/: OK/);
    const issuer = (
      await run('openssl', [
        'x509',
        '-in',
        pki.intermediateCert,
        '-noout',
        '-subject',
        '-nameopt',
        'utf8,sep_comma_plus',
      ])
    ).stdout;
    expect(issuer).toContain('CA phục vụ các cơ quan Nhà nước');
  });

  it('lists the revoked signer in the CRL and refuses the expired one', async () => {
    const crlArgs = ['-crl_check', '-CRLfile', pki.crlPem];
    expect(await verify(pki.persons['tran-thi-binh']?.certPath as string, crlArgs)).toMatch(/: OK/);
    expect(await verify(pki.persons['pham-van-duc']?.certPath as string, crlArgs)).toMatch(/certificate revoked/);
    expect(await verify(pki.persons['vo-thi-em']?.certPath as string)).toMatch(/certificate has expired/);
  });

  it('carries the agency code (mã định danh) in each organisation seal certificate', async () => {
    for (const [code, seal] of Object.entries(pki.seals)) {
      const subject = (
        await run('openssl', ['x509', '-in', seal.certPath, '-noout', '-subject', '-nameopt', 'utf8,sep_comma_plus'])
      ).stdout;
      expect(subject).toContain(`serialNumber=${code}`);
    }
  });
});

describe('revocation and time services', () => {
  it('answers OCSP good and revoked correctly, signed by the responder', async () => {
    expect(await queryOcsp(pki.persons['nguyen-van-an']?.certPath as string, pki)).toBe('good');
    expect(await queryOcsp(pki.persons['pham-van-duc']?.certPath as string, pki)).toBe('revoked');
  });

  it('issues RFC 3161 time-stamps that openssl verifies against the test root', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vanthu-tsa-'));
    try {
      const data = path.join(dir, 'data.bin');
      fs.writeFileSync(data, crypto.randomBytes(1000));
      const query = path.join(dir, 'q.tsq');
      await run('openssl', ['ts', '-query', '-data', data, '-sha256', '-cert', '-out', query]);
      const response = await fetch(tsaUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/timestamp-query' },
        body: fs.readFileSync(query),
      });
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('application/timestamp-reply');
      const reply = path.join(dir, 'r.tsr');
      fs.writeFileSync(reply, Buffer.from(await response.arrayBuffer()));
      const verified = await run('openssl', [
        'ts',
        '-verify',
        '-data',
        data,
        '-in',
        reply,
        '-CAfile',
        pki.rootCert,
        '-untrusted',
        pki.intermediateCert,
      ]);
      expect(verified.stdout).toMatch(/Verification: OK/);
      const bad = await fetch(tsaUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/timestamp-query' },
        body: Buffer.from('garbage'),
      });
      expect(bad.status).toBe(400);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
