import { createHash, createPublicKey, verify as nodeVerify, constants } from 'node:crypto';
import { digestByteRange, signatureDictionaries } from '@vanthu/pdf';
import type { PdfReader } from '@vanthu/pdf';
import * as pkijs from 'pkijs';
import { hashOids } from './algorithms';
import type { HashName } from './algorithms';
import { certificateDer, parseCms } from './cms';

export type VerifiedSignature = {
  fieldName: string;
  subFilter: string;
  valid: boolean;
  reason: string | null;
  certificate: pkijs.Certificate | null;
  certificateSha256: string | null;
  /** Offset just past the signed bytes: which revision the signature covers. */
  coversUpTo: number;
  coversWholeFile: boolean;
};

const hashByOid = new Map<string, HashName>(Object.entries(hashOids).map(([k, v]) => [v, k as HashName]));
const OID_MESSAGE_DIGEST = '1.2.840.113549.1.9.4';

/**
 * Checks the integrity of every CMS signature in a PDF: the ByteRange shape, the message
 * digest of the signed bytes and the signature over the signed attributes with the signer's
 * public key. Trust in the certificate is the caller's separate question (certificate registry,
 * trust anchors); full ETSI validation is the validation service's job.
 */
export function verifyPdfSignatures(reader: PdfReader): VerifiedSignature[] {
  const out: VerifiedSignature[] = [];
  for (const { fieldName, value, contents } of signatureDictionaries(reader)) {
    const subFilter = String(value.get('SubFilter') ?? '').replace(/^\//, '');
    const range = value.get('ByteRange');
    const base: VerifiedSignature = {
      fieldName,
      subFilter,
      valid: false,
      reason: null,
      certificate: null,
      certificateSha256: null,
      coversUpTo: 0,
      coversWholeFile: false,
    };
    if (
      !Array.isArray(range) ||
      range.length !== 4 ||
      !range.every((n) => typeof n === 'number' && Number.isInteger(n) && n >= 0)
    ) {
      out.push({ ...base, reason: 'malformed ByteRange' });
      continue;
    }
    const [a, b, c, d] = range as [number, number, number, number];
    const coversUpTo = c + d;
    const shaped = a === 0 && b < c && coversUpTo <= reader.size;
    if (!shaped) {
      out.push({ ...base, coversUpTo, reason: 'ByteRange does not start at 0 or exceeds the file' });
      continue;
    }
    const item = { ...base, coversUpTo, coversWholeFile: coversUpTo === reader.size };
    if (subFilter === 'ETSI.RFC3161') {
      out.push({ ...item, valid: true, reason: 'document time-stamp (integrity checked by the validation service)' });
      continue;
    }
    try {
      const { signedData, signerInfo } = parseCms(contents);
      const hash = hashByOid.get(signerInfo.digestAlgorithm.algorithmId);
      if (!hash) throw new Error(`digest algorithm ${signerInfo.digestAlgorithm.algorithmId} not supported`);
      const attrs = signerInfo.signedAttrs;
      if (!attrs) throw new Error('no signed attributes');
      const md = attrs.attributes.find((x) => x.type === OID_MESSAGE_DIGEST);
      const mdValue = md
        ? Buffer.from((md.values[0] as { valueBlock: { valueHexView: Uint8Array } }).valueBlock.valueHexView)
        : undefined;
      if (!mdValue || !mdValue.equals(digestByteRange(reader, range as number[], hash)))
        throw new Error('the signed bytes do not match the message digest');
      const sid = signerInfo.sid as pkijs.IssuerAndSerialNumber;
      const cert = (signedData.certificates ?? []).find(
        (x): x is pkijs.Certificate =>
          x instanceof pkijs.Certificate && x.serialNumber.isEqual(sid.serialNumber) && x.issuer.isEqual(sid.issuer),
      );
      if (!cert) throw new Error('the signer certificate is not in the CMS');
      const signedBytes = Buffer.from(attrs.encodedValue);
      signedBytes[0] = 0x31;
      const key = publicKeyOf(cert);
      const sigAlg = signerInfo.signatureAlgorithm.algorithmId;
      const signature = Buffer.from(signerInfo.signature.valueBlock.valueHexView);
      const ok =
        sigAlg === '1.2.840.113549.1.1.10'
          ? nodeVerify(
              hash,
              signedBytes,
              { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_AUTO },
              signature,
            )
          : nodeVerify(hash, signedBytes, key, signature);
      if (!ok) throw new Error('the signature value does not verify with the signer certificate');
      out.push({
        ...item,
        valid: true,
        certificate: cert,
        certificateSha256: createHash('sha256').update(certificateDer(cert)).digest('hex'),
      });
    } catch (error) {
      out.push({ ...item, reason: (error as Error).message });
    }
  }
  return out;
}

export const publicKeyOf = (cert: pkijs.Certificate): ReturnType<typeof createPublicKey> =>
  createPublicKey({ key: Buffer.from(cert.subjectPublicKeyInfo.toSchema().toBER(false)), format: 'der', type: 'spki' });
