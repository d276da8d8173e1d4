import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { X509Certificate, createHash, verify as nodeVerify } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { PdfReader } from '@vanthu/pdf';
import { OID_SIGNATURE_TIME_STAMP_TOKEN } from '../src/pades/cms';
import { toArrayBuffer } from '../src/x509/der-reader';
import { AsnError, readTlv, timeValue } from '../src/x509/der-reader';
import { CmsProblem, checkCms } from '../src/validation/cms-checks';
import { parseSignedDataParts } from '../src/x509/cms-structure';
import { signatureFields } from '../src/validation/signature-fields';
import { congVan, signAs } from './fixtures/validation-support';
import { infra } from './support';

// pkijs (schema-driven, independent of our reader) is the reference for what each field holds.
const pkijsSignedData = (der: Buffer): pkijs.SignedData =>
  new pkijs.SignedData({
    schema: new pkijs.ContentInfo({ schema: asn1js.fromBER(toArrayBuffer(der)).result }).content,
  });
const b64 = (b: Buffer | ArrayBuffer): string =>
  Buffer.from(b instanceof ArrayBuffer ? new Uint8Array(b) : b).toString('base64');

describe('the CMS structure reader takes every field from the original bytes', () => {
  it('a B-T PAdES CMS: the same certificates, signed attributes, signature and time-stamp token as pkijs reads', async () => {
    const pdf = await signAs(await congVan(), 'nguyen-van-an', 'B-T');
    const contents = signatureFields(PdfReader.fromBuffer(pdf))[0]?.contents as Buffer;
    const parts = parseSignedDataParts(contents);
    const reference = pkijsSignedData(contents);
    const info = parts.signerInfos[0];
    const refInfo = reference.signerInfos[0] as pkijs.SignerInfo;
    expect(parts.signerInfos).toHaveLength(1);
    expect(parts.eContent).toBeNull();
    expect(parts.certificates.map(b64).sort()).toEqual(
      (reference.certificates ?? []).map((c) => b64((c as pkijs.Certificate).toSchema().toBER(false))).sort(),
    );
    const signed = Buffer.from(refInfo.signedAttrs?.encodedValue ?? new ArrayBuffer(0));
    signed[0] = 0x31;
    expect(info?.signedAttrsDer?.equals(signed)).toBe(true);
    expect(info?.signature.equals(Buffer.from(refInfo.signature.valueBlock.valueHexView))).toBe(true);
    expect(info?.digestAlgorithm.oid).toBe(refInfo.digestAlgorithm.algorithmId);
    expect(info?.signatureAlgorithm.oid).toBe(refInfo.signatureAlgorithm.algorithmId);
    const token = refInfo.unsignedAttrs?.attributes.find((a) => a.type === OID_SIGNATURE_TIME_STAMP_TOKEN)
      ?.values[0] as asn1js.Sequence;
    expect(
      info?.unsignedAttrs
        ?.find((a) => a.type === OID_SIGNATURE_TIME_STAMP_TOKEN)
        ?.values[0]?.der.equals(Buffer.from(token.toBER(false))),
    ).toBe(true);
    const sid = refInfo.sid as pkijs.IssuerAndSerialNumber;
    expect(info?.sid).toEqual({
      kind: 'issuer-and-serial',
      issuer: Buffer.from(sid.issuer.toSchema().toBER(false)),
      serial: Buffer.from(sid.serialNumber.valueBlock.valueHexView),
    });
  });

  it('a BER CMS with indefinite lengths and a segmented OCTET STRING (openssl cms -stream) reads like DER', () => {
    const person = infra.pki.persons['tran-thi-binh'];
    if (!person) throw new Error('no test person');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cms-ber-'));
    const content = Buffer.from('Công văn số 12/UBND-VP — nội dung được ký\n', 'utf8');
    fs.writeFileSync(path.join(dir, 'content'), content);
    // Streaming makes openssl embed the content, in BER: indefinite lengths throughout.
    execFileSync('openssl', [
      'cms',
      '-sign',
      '-binary',
      '-stream',
      '-md',
      'sha256',
      '-outform',
      'DER',
      '-signer',
      person.certPath,
      '-inkey',
      person.keyPath,
      '-in',
      path.join(dir, 'content'),
      '-out',
      path.join(dir, 'sig.der'),
    ]);
    const ber = fs.readFileSync(path.join(dir, 'sig.der'));
    fs.rmSync(dir, { recursive: true, force: true });
    expect(ber[1]).toBe(0x80);
    const parts = parseSignedDataParts(Buffer.concat([ber, Buffer.alloc(64)]));
    expect(parts.eContent?.equals(content)).toBe(true);
    expect(parts.certificates).toHaveLength(1);
    const info = parts.signerInfos[0];
    const md = info?.signedAttrs?.find((a) => a.type === '1.2.840.113549.1.9.4')?.values[0]?.content;
    expect(md?.equals(createHash('sha256').update(content).digest())).toBe(true);
    // The extracted signed attributes are exactly what openssl signed.
    const signer = new X509Certificate(parts.certificates[0] as Buffer);
    expect(nodeVerify('sha256', info?.signedAttrsDer as Buffer, signer.publicKey, info?.signature as Buffer)).toBe(
      true,
    );
    // As a PDF signature it is refused: PAdES CMS must be detached.
    expect(() => checkCms(ber, (d) => createHash(d).update(content).digest(), false)).toThrow(/embeds content/);
  });

  it.each([
    ['empty', Buffer.alloc(0)],
    ['zeros', Buffer.alloc(32)],
    ['truncated header', Buffer.from([0x30])],
    ['length past the end', Buffer.from([0x30, 0x84, 0x7f, 0xff, 0xff, 0xff, 0x00])],
    ['a five-byte length', Buffer.from([0x30, 0x85, 0x01, 0x00, 0x00, 0x00, 0x00])],
    ['a high tag number', Buffer.from([0x3f, 0x81, 0x01, 0x00])],
    ['indefinite length on a primitive', Buffer.from([0x04, 0x80, 0x00, 0x00])],
    ['indefinite length without its end', Buffer.from([0x30, 0x80, 0x02, 0x01, 0x01])],
    ['a ContentInfo of another type', Buffer.from('300d06092a864886f70d010701a000', 'hex')],
    [
      'nesting 200 deep',
      Buffer.concat([Buffer.alloc(400, 0).map((_, i) => (i % 2 === 0 ? 0x30 : 0x80)), Buffer.alloc(400, 0)]),
    ],
  ])('%s is a FORMAT problem, never a crash', (_name, bytes) => {
    expect(() => parseSignedDataParts(bytes)).toThrow(AsnError);
    try {
      checkCms(bytes, () => Buffer.alloc(32), true);
      throw new Error('accepted');
    } catch (error) {
      expect(error).toBeInstanceOf(CmsProblem);
      expect((error as CmsProblem).kind).toBe('format');
    }
  });
});

describe('ASN.1 times', () => {
  const time = (tag: number, text: string): Date => {
    const body = Buffer.from(text, 'latin1');
    return timeValue(
      Buffer.concat([Buffer.from([tag, body.length]), body]),
      readTlv(Buffer.concat([Buffer.from([tag, body.length]), body]), 0),
    );
  };

  it('UTCTime years 50–99 are 19xx and 00–49 are 20xx (RFC 5280 §4.1.2.5.1)', () => {
    expect(time(0x17, '491231235959Z').toISOString()).toBe('2049-12-31T23:59:59.000Z');
    expect(time(0x17, '500101000000Z').toISOString()).toBe('1950-01-01T00:00:00.000Z');
  });

  it('GeneralizedTime with fractions and offsets', () => {
    expect(time(0x18, '20261122093015.25Z').toISOString()).toBe('2026-11-22T09:30:15.250Z');
    expect(time(0x18, '20261122163015+0700').toISOString()).toBe('2026-11-22T09:30:15.000Z');
  });

  it('nonsense is refused', () => {
    expect(() => time(0x18, '20261322000000Z')).toThrow(AsnError);
    expect(() => time(0x18, 'yesterday')).toThrow(AsnError);
    expect(() => time(0x04, '20261122000000Z')).toThrow(AsnError);
  });
});
