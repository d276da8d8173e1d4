import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { PdfReader, signatureDictionaries } from '@vanthu/pdf';
import { issueTestCertificate } from '../../../infra/src/pki';
import { refreshOcsp } from '../../../infra/src/ocsp';
import { signPdf } from '../src/pades/pades-engine';
import { softwareSigner } from '../src/pades/signer';
import { makeCongVan } from './fixtures/cong-van';
import { certPool, derLength, infra, padesSettings, pdfsig, qpdfCheck } from './support';
import { isSelfIssued, pemToDers, toCert } from '../src/x509/certificate';

// Personal tokens may hold EC keys; the CMS then carries an ECDSA signature (RFC 5753, DER
// r,s). An EC certificate issued by the test CA signs at B-LT, checked by pdfsig and openssl.
let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ecdsa-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

it('signs with an ECDSA P-256 key at B-LT: valid for pdfsig, the CMS verified by openssl up to the root', async () => {
  const issued = await issueTestCertificate('Hoàng Thị Phương', dir, 'ec-p256');
  await refreshOcsp(infra.pki);
  const certificate = toCert(pemToDers(fs.readFileSync(issued.certPath, 'utf8'))[0] as Buffer);
  const intermediates = certPool().filter((c) => !isSelfIssued(c));
  const signer = softwareSigner(fs.readFileSync(issued.keyPath, 'utf8'), certificate, intermediates, 'ecdsa', 'sha256');
  const input = await makeCongVan({ pages: 1 });
  const bytes = Buffer.concat([input, await signPdf(PdfReader.fromBuffer(input), signer, {}, 'B-LT', padesSettings())]);
  const file = path.join(dir, 'ecdsa.pdf');
  fs.writeFileSync(file, bytes);
  expect(pdfsig(file)[0]?.valid).toBe(true);
  expect(qpdfCheck(file)).toMatch(/No syntax or stream encoding errors/);

  const dict = signatureDictionaries(PdfReader.fromBuffer(bytes))[0];
  const [a = 0, b = 0, c = 0, d = 0] = dict?.value.get('ByteRange') as number[];
  const contents = dict?.contents as Buffer;
  fs.writeFileSync(path.join(dir, 'cms.der'), contents.subarray(0, derLength(contents)));
  fs.writeFileSync(path.join(dir, 'signed.bin'), Buffer.concat([bytes.subarray(a, a + b), bytes.subarray(c, c + d)]));
  const printed = execFileSync(
    'openssl',
    ['cms', '-cmsout', '-print', '-inform', 'DER', '-in', path.join(dir, 'cms.der')],
    { encoding: 'utf8' },
  );
  expect(printed).toMatch(/ecdsa-with-SHA256/);
  const out = execFileSync(
    'openssl',
    [
      'cms',
      '-verify',
      '-binary',
      '-inform',
      'DER',
      '-in',
      path.join(dir, 'cms.der'),
      '-content',
      path.join(dir, 'signed.bin'),
      '-CAfile',
      infra.pki.chainPem,
      '-purpose',
      'any',
      '-out',
      '/dev/null',
    ],
    {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  expect(out).toBe('');
});
