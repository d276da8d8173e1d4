import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { execFileSync } from 'node:child_process';
import { PdfReader } from '@vanthu/pdf';
import { signPdf } from '../src/pades/pades-engine';
import { fetchCaIssuers } from '../src/pades/revocation';
import { softwareSigner } from '../src/pades/signer';
import { certificatesIn, clearAiaCache } from '../src/validation/aia-issuers';
import { pemToDers, toCert } from '../src/x509/certificate';
import { parseSignedDataParts } from '../src/x509/cms-structure';
import { signatureFields } from '../src/validation/signature-fields';
import { validatePdf } from '../src/validation/validate-pdf';
import { congVan, testTrustStore, validationOptions } from './fixtures/validation-support';
import { infra, padesSettings, personCertificate } from './support';

// A CMS that carries only the signer's own certificate (as VGCA signing tools produce): the
// sub-CA is missing from the file and from the trust store, and is found through the leaf's
// Authority Information Access caIssuers URL, served by the test PKI's HTTP publisher.

async function leafOnlySignature(): Promise<Buffer> {
  const person = infra.pki.persons['nguyen-van-an'];
  if (!person) throw new Error('no test person');
  const signer = softwareSigner(
    fs.readFileSync(person.keyPath, 'utf8'),
    personCertificate('nguyen-van-an'),
    [],
    'rsa-pkcs1',
    'sha256',
  );
  const input = await congVan();
  const appended = await signPdf(
    PdfReader.fromBuffer(input),
    signer,
    { signingTime: new Date('2026-01-15T03:00:00Z') },
    'B-B',
    { ...padesSettings(), certificatePool: [] },
  );
  return Buffer.concat([input, appended]);
}

const rootOnly = () => ({ anchors: testTrustStore().anchors, intermediates: [] });

describe('missing intermediates from AIA caIssuers', () => {
  let signed: Buffer;
  beforeAll(async () => {
    signed = await leafOnlySignature();
    const contents = signatureFields(PdfReader.fromBuffer(signed))[0]?.contents as Buffer;
    expect(parseSignedDataParts(contents).certificates).toHaveLength(1);
  });
  beforeEach(() => clearAiaCache());

  it('offline, a leaf-only CMS without the sub-CA in the store has no chain', async () => {
    const report = await validatePdf(
      signed,
      validationOptions({ trust: rootOnly(), revocation: { mode: 'offline', timeoutMs: 5_000, cacheSeconds: 0 } }),
    );
    expect(report.signatures[0]).toMatchObject({
      indication: 'INDETERMINATE',
      subIndication: 'NO_CERTIFICATE_CHAIN_FOUND',
    });
  });

  it('online, the sub-CA is fetched from the leaf AIA and the signature passes; the report says where it came from', async () => {
    const report = await validatePdf(
      signed,
      validationOptions({ trust: rootOnly(), revocation: { mode: 'online', timeoutMs: 5_000, cacheSeconds: 60 } }),
    );
    expect(report.verdict).toBe('TOTAL_PASSED');
    const chainCheck = report.signatures[0]?.checks.find((c) => c.name === 'certificate-chain');
    expect(chainCheck?.detail).toMatch(/fetched from http:\/\/127\.0\.0\.1:\d+\/crt\/.+\.crt/);
    expect(report.signatures[0]?.chain).toHaveLength(3);
  });

  it('the same intermediate supplied by configuration passes without any fetch', async () => {
    const report = await validatePdf(signed, validationOptions({ trust: testTrustStore() }));
    expect(report.verdict).toBe('TOTAL_PASSED');
    expect(report.signatures[0]?.checks.find((c) => c.name === 'certificate-chain')?.detail).not.toMatch(/fetched/);
  });

  it('AIA adds reach, not trust: with no anchor the fetched certificates chain nowhere', async () => {
    const report = await validatePdf(signed, validationOptions({ trust: { anchors: [], intermediates: [] } }));
    expect(report.signatures[0]).toMatchObject({
      indication: 'INDETERMINATE',
      subIndication: 'NO_CERTIFICATE_CHAIN_FOUND',
    });
  });
});

describe('caIssuers bodies', () => {
  it('DER, PEM and certs-only PKCS#7 (openssl crl2pkcs7) all give the certificates', () => {
    const pem = fs.readFileSync(infra.pki.chainPem, 'utf8');
    const ders = pemToDers(pem);
    const p7c = execFileSync('openssl', ['crl2pkcs7', '-nocrl', '-certfile', infra.pki.chainPem, '-outform', 'DER']);
    const expected = ders.map((d) => toCert(d).sha256).sort();
    expect(certificatesIn(ders[0] as Buffer).map((c) => c.sha256)).toEqual([toCert(ders[0] as Buffer).sha256]);
    expect(
      certificatesIn(Buffer.from(pem))
        .map((c) => c.sha256)
        .sort(),
    ).toEqual(expected);
    expect(
      certificatesIn(p7c)
        .map((c) => c.sha256)
        .sort(),
    ).toEqual(expected);
    expect(certificatesIn(Buffer.from('<html>not found</html>'))).toEqual([]);
  });

  it('a caIssuers URL that streams without end is cut at 1 MB, and a silent one times out', async () => {
    const server = http.createServer((req, res) => {
      if (req.url === '/silent') return;
      res.writeHead(200, { 'content-type': 'application/pkix-cert' });
      const chunk = Buffer.alloc(64 * 1024, 0x30);
      const pump = (): void => {
        while (res.write(chunk)) if (res.writableLength > 4 * 1024 * 1024) break;
      };
      res.on('drain', pump);
      pump();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    try {
      await expect(fetchCaIssuers(`http://127.0.0.1:${port}/endless`, 5_000)).rejects.toThrow(
        /more than 1048576 bytes/,
      );
      await expect(fetchCaIssuers(`http://127.0.0.1:${port}/silent`, 300)).rejects.toThrow();
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });
});
