import fs from 'node:fs';
import { createHash, sign as nodeSign } from 'node:crypto';
import { PdfReader, embedSignatureContents, signatureDictionaries } from '@vanthu/pdf';
import { explicit, octets, oid, seq, set, setOf, smallInteger, tlv } from '../src/pades/der';
import { extendSignedPdf, prepareRevision } from '../src/pades/pades-engine';
import { validatePdf } from '../src/validation/validate-pdf';
import { congVan, validationOptions } from './fixtures/validation-support';
import { certPool, infra, padesSettings, personCertificate } from './support';
import { issuerAndSerialOf } from '../src/x509/certificate';

// docs/domain/signing.md §6 item 18: SHA-1 is an explicit, configurable policy. Our engine never signs with
// SHA-1, so the legacy signature is assembled here by hand with the test PKI.
const NULL = Buffer.from([0x05, 0x00]);
const SHA1 = '1.3.14.3.2.26';

async function sha1Signed(): Promise<Buffer> {
  const input = await congVan();
  const reader = PdfReader.fromBuffer(input);
  const cert = personCertificate('nguyen-van-an');
  const certDer = cert.der;
  const revision = await prepareRevision(reader, { signingTime: new Date('2026-01-15T03:00:00Z') }, 'B-B', 'sha256', [
    cert,
  ]);
  const [, a, b] = revision.prepared.byteRange;
  const signed = Buffer.concat([input, revision.prepared.update]);
  const digest = createHash('sha1').update(signed.subarray(0, a)).update(signed.subarray(b)).digest();
  const attr = (type: string, value: Buffer): Buffer => seq(oid(type), set(value));
  const attrs = setOf([
    attr('1.2.840.113549.1.9.3', oid('1.2.840.113549.1.7.1')),
    attr('1.2.840.113549.1.9.4', octets(digest)),
    // ESS signing-certificate (v1, RFC 2634): the SHA-1 of the signer's certificate.
    attr('1.2.840.113549.1.9.16.2.12', seq(seq(seq(octets(createHash('sha1').update(certDer).digest()))))),
  ]);
  const signature = nodeSign(
    'sha1',
    attrs,
    fs.readFileSync(infra.pki.persons['nguyen-van-an']?.keyPath as string, 'utf8'),
  );
  const implicitAttrs = Buffer.from(attrs);
  implicitAttrs[0] = 0xa0;
  const issuerAndSerial = seq(issuerAndSerialOf(cert).issuer, issuerAndSerialOf(cert).serialDer);
  const signerInfo = seq(
    smallInteger(1),
    issuerAndSerial,
    seq(oid(SHA1), NULL),
    implicitAttrs,
    seq(oid('1.2.840.113549.1.1.5'), NULL),
    octets(signature),
  );
  const cms = seq(
    oid('1.2.840.113549.1.7.2'),
    explicit(
      0,
      seq(
        smallInteger(1),
        set(seq(oid(SHA1), NULL)),
        seq(oid('1.2.840.113549.1.7.1')),
        tlv(0xa0, certDer),
        set(signerInfo),
      ),
    ),
  );
  return Buffer.concat([input, embedSignatureContents(revision.prepared, cms)]);
}

describe('legacy SHA-1 policy', () => {
  it('refused by default: INDETERMINATE/CRYPTO_CONSTRAINTS_FAILURE_NO_POE, though the signature itself verifies', async () => {
    const report = await validatePdf(await sha1Signed(), validationOptions());
    expect(report.signatures[0]).toMatchObject({
      indication: 'INDETERMINATE',
      subIndication: 'CRYPTO_CONSTRAINTS_FAILURE_NO_POE',
    });
    expect(report.signatures[0]?.checks.find((c) => c.name === 'cms')?.passed).toBe(true);
  });

  it('accepted when a trusted time-stamp proves it existed before the configured cut-off, and not without one', async () => {
    const bytes = await sha1Signed();
    const cutOff = new Date(Date.now() + 24 * 3600_000);
    const noPoe = await validatePdf(bytes, validationOptions({ sha1AcceptedUntil: cutOff }));
    expect(noPoe.signatures[0]?.subIndication).toBe('CRYPTO_CONSTRAINTS_FAILURE_NO_POE');
    const reader = PdfReader.fromBuffer(bytes);
    const field = signatureDictionaries(reader)[0];
    if (!field) throw new Error('no signature');
    const extended = Buffer.concat([
      bytes,
      await extendSignedPdf(
        reader,
        [{ contents: field.contents, chain: [personCertificate('nguyen-van-an'), ...certPool()] }],
        'B-LTA',
        padesSettings(),
        'sha256',
      ),
    ]);
    const report = await validatePdf(extended, validationOptions({ sha1AcceptedUntil: cutOff }));
    expect(report.signatures[0]).toMatchObject({ indication: 'TOTAL_PASSED' });
    const past = await validatePdf(
      extended,
      validationOptions({ sha1AcceptedUntil: new Date('2020-01-01T00:00:00Z') }),
    );
    expect(past.signatures[0]?.subIndication).toBe('CRYPTO_CONSTRAINTS_FAILURE_NO_POE');
  });
});
