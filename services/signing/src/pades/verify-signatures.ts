import { verify as nodeVerify, constants } from 'node:crypto';
import { digestByteRange, signatureDictionaries } from '@vanthu/pdf';
import type { PdfReader } from '@vanthu/pdf';
import type { Cert } from '../x509/certificate';
import { tryCert } from '../x509/certificate';
import { hashOids } from './algorithms';
import type { HashName } from './algorithms';
import { parseCms, signerCertificate } from './cms';

export type VerifiedSignature = {
  fieldName: string;
  subFilter: string;
  valid: boolean;
  reason: string | null;
  certificate: Cert | null;
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
      const hash = hashByOid.get(signerInfo.digestAlgorithm.oid);
      if (!hash) throw new Error(`digest algorithm ${signerInfo.digestAlgorithm.oid} not supported`);
      const signedBytes = signerInfo.signedAttrsDer;
      if (!signedBytes || !signerInfo.signedAttrs) throw new Error('no signed attributes');
      const mdValue = signerInfo.signedAttrs.find((x) => x.type === OID_MESSAGE_DIGEST)?.values[0]?.content;
      if (!mdValue || !mdValue.equals(digestByteRange(reader, range as number[], hash)))
        throw new Error('the signed bytes do not match the message digest');
      const certificates = signedData.certificates.flatMap((der) => tryCert(der) ?? []);
      const cert = signerCertificate(signerInfo, certificates);
      if (!cert) throw new Error('the signer certificate is not in the CMS');
      const key = cert.x509.publicKey;
      const sigAlg = signerInfo.signatureAlgorithm.oid;
      const signature = signerInfo.signature;
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
        certificateSha256: cert.sha256,
      });
    } catch (error) {
      out.push({ ...item, reason: (error as Error).message });
    }
  }
  return out;
}
