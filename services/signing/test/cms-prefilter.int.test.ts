import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { PdfReader } from '@vanthu/pdf';
import { OID_SIGNATURE_TIME_STAMP_TOKEN, toArrayBuffer } from '../src/pades/cms';
import { lightenCms } from '../src/validation/cms-prefilter';
import { signatureFields } from '../src/validation/signature-fields';
import { congVan, signAs } from './fixtures/validation-support';

const signedDataOf = (der: Buffer): pkijs.SignedData => new pkijs.SignedData({ schema: new pkijs.ContentInfo({ schema: asn1js.fromBER(toArrayBuffer(der)).result }).content });

describe('lightenCms keeps every signed byte and sets aside only certificates and time-stamp tokens', () => {
  it('a B-T CMS: same SignerInfo (signed attributes, signature), same certificates, the same token', async () => {
    const pdf = await signAs(await congVan(), 'nguyen-van-an', 'B-T');
    const contents = signatureFields(PdfReader.fromBuffer(pdf))[0]?.contents as Buffer;
    const der = contents.subarray(0, asn1js.fromBER(toArrayBuffer(contents)).offset);
    const light = lightenCms(der);
    if (!light) throw new Error('not lightened');
    const full = signedDataOf(der);
    const lean = signedDataOf(light.der);
    expect(lean.certificates ?? []).toHaveLength(0);
    expect(light.certificates.map((c) => c.toString('base64')).sort()).toEqual((full.certificates ?? []).map((c) => Buffer.from((c as pkijs.Certificate).toSchema().toBER(false)).toString('base64')).sort());
    const a = full.signerInfos[0] as pkijs.SignerInfo;
    const b = lean.signerInfos[0] as pkijs.SignerInfo;
    expect(Buffer.from(b.signedAttrs?.encodedValue ?? new ArrayBuffer(0)).equals(Buffer.from(a.signedAttrs?.encodedValue ?? new ArrayBuffer(1)))).toBe(true);
    expect(Buffer.from(b.signature.valueBlock.valueHexView).equals(Buffer.from(a.signature.valueBlock.valueHexView))).toBe(true);
    const token = a.unsignedAttrs?.attributes.find((x) => x.type === OID_SIGNATURE_TIME_STAMP_TOKEN)?.values[0] as asn1js.Sequence;
    expect(light.timestampTokens).toHaveLength(1);
    expect(light.timestampTokens[0]?.equals(Buffer.from(token.toBER(false)))).toBe(true);
  });

  it('anything that is not a SignedData ContentInfo is left to the full parser', () => {
    expect(lightenCms(Buffer.from([0x30, 0x03, 0x02, 0x01, 0x01]))).toBeUndefined();
    expect(lightenCms(Buffer.alloc(16))).toBeUndefined();
    expect(lightenCms(Buffer.from([0x30, 0x84, 0xff, 0xff, 0xff, 0xff]))).toBeUndefined();
  });
});
