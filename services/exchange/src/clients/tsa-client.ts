import { X509Certificate, createHash, randomBytes, verify } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';

// RFC 3161 time-stamps of the exchange log's head: the request carries the head's entry hash as a
// SHA-256 message imprint (the entry hash is the SHA-256 of the canonical entry), the answer is the
// TSA's signed token, kept as it came.

export class TimestampUnavailableError extends Error {}

const sha256Oid = '2.16.840.1.101.3.4.2.1';
const toAb = (b: Buffer): ArrayBuffer => b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;

export type Timestamp = { token: Buffer; genTime: Date; tsa: string };

function tstInfoOf(token: pkijs.ContentInfo): pkijs.TSTInfo {
  const signedData = new pkijs.SignedData({ schema: token.content });
  const eContent = signedData.encapContentInfo.eContent;
  if (!eContent) throw new Error('time-stamp token without TSTInfo');
  return pkijs.TSTInfo.fromBER(toAb(Buffer.from(eContent.getValue())));
}

export class TsaClient {
  constructor(
    private readonly urls: string[],
    private readonly timeoutMs = 10_000,
  ) {}

  get configured(): boolean {
    return this.urls.length > 0;
  }

  /** Time-stamps a SHA-256 digest; TSAs are tried in order. */
  async timestamp(digest: Buffer): Promise<Timestamp> {
    if (this.urls.length === 0) throw new TimestampUnavailableError('no time-stamping authority is configured');
    const nonce = randomBytes(8);
    nonce[0] = ((nonce[0] ?? 0) & 0x3f) | 0x40;
    const request = new pkijs.TimeStampReq({
      version: 1,
      messageImprint: new pkijs.MessageImprint({
        hashAlgorithm: new pkijs.AlgorithmIdentifier({ algorithmId: sha256Oid }),
        hashedMessage: new asn1js.OctetString({ valueHex: toAb(digest) }),
      }),
      nonce: new asn1js.Integer({ valueHex: toAb(nonce) }),
      certReq: true,
    });
    const body = Buffer.from(request.toSchema().toBER(false));
    const failures: string[] = [];
    for (const url of this.urls) {
      try {
        const response = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/timestamp-query' },
          body,
          signal: AbortSignal.timeout(this.timeoutMs),
        });
        if (!response.ok) throw new Error(`HTTP ${response.status}`);
        const parsed = pkijs.TimeStampResp.fromBER(toAb(Buffer.from(await response.arrayBuffer())));
        if (parsed.status.status !== 0 && parsed.status.status !== 1) throw new Error(`status ${parsed.status.status}`);
        if (!parsed.timeStampToken) throw new Error('no token in the response');
        const info = tstInfoOf(parsed.timeStampToken);
        if (!Buffer.from(info.messageImprint.hashedMessage.valueBlock.valueHexView).equals(digest)) {
          throw new Error('the token time-stamps other data');
        }
        const echoed = info.nonce ? Buffer.from(info.nonce.valueBlock.valueHexView).toString('hex') : undefined;
        if (echoed !== undefined && BigInt(`0x${echoed || '0'}`) !== BigInt(`0x${nonce.toString('hex')}`)) {
          throw new Error('the nonce does not match');
        }
        return { token: Buffer.from(parsed.timeStampToken.toSchema().toBER(false)), genTime: info.genTime, tsa: url };
      } catch (error) {
        failures.push(`${url}: ${(error as Error).message}`);
      }
    }
    throw new TimestampUnavailableError(`no time-stamping authority answered (${failures.join('; ')})`);
  }
}

const digestNames: Record<string, string> = {
  '1.3.14.3.2.26': 'sha1',
  '2.16.840.1.101.3.4.2.1': 'sha256',
  '2.16.840.1.101.3.4.2.2': 'sha384',
  '2.16.840.1.101.3.4.2.3': 'sha512',
};
const messageDigestOid = '1.2.840.113549.1.9.4';

/** CMS signature check (RFC 5652 §5.4): the signed attributes, as a SET, under the signer's key; their digest of the TSTInfo. */
function tokenSignatureVerifies(signedData: pkijs.SignedData): boolean {
  const signer = signedData.signerInfos[0];
  const content = signedData.encapContentInfo.eContent;
  if (!signer?.signedAttrs || !content) return false;
  const digestName = digestNames[signer.digestAlgorithm.algorithmId];
  if (!digestName) return false;
  const attribute = signer.signedAttrs.attributes.find((a) => a.type === messageDigestOid);
  const declared = attribute?.values[0] as asn1js.OctetString | undefined;
  const actual = createHash(digestName).update(Buffer.from(content.getValue())).digest();
  if (!declared || !Buffer.from(declared.valueBlock.valueHexView).equals(actual)) return false;
  const sid = signer.sid as pkijs.IssuerAndSerialNumber;
  const serial = Buffer.from(sid.serialNumber.valueBlock.valueHexView);
  const certificate = (signedData.certificates ?? []).find(
    (c): c is pkijs.Certificate =>
      c instanceof pkijs.Certificate && Buffer.from(c.serialNumber.valueBlock.valueHexView).equals(serial),
  );
  if (!certificate) return false;
  const signedBytes = Buffer.from(signer.signedAttrs.encodedValue);
  signedBytes[0] = 0x31; // [0] IMPLICIT in the SignerInfo, a SET when signed
  const key = new X509Certificate(Buffer.from(certificate.toSchema().toBER(false))).publicKey;
  return verify(digestName, signedBytes, key, Buffer.from(signer.signature.valueBlock.valueHexView));
}

/**
 * What a stored token says: the digest it time-stamps, its time, and whether the TSA's signature over
 * it verifies with the certificate the token carries (the chain to a trust anchor is the auditor's
 * check, with the TSA's published certificate: `openssl ts -verify`).
 */
export function readTimestampToken(token: Buffer): { digest: Buffer; genTime: Date; signatureValid: boolean } {
  const contentInfo = pkijs.ContentInfo.fromBER(toAb(token));
  const info = tstInfoOf(contentInfo);
  let signatureValid = false;
  try {
    signatureValid = tokenSignatureVerifies(new pkijs.SignedData({ schema: contentInfo.content }));
  } catch {
    signatureValid = false;
  }
  return {
    digest: Buffer.from(info.messageImprint.hashedMessage.valueBlock.valueHexView),
    genTime: info.genTime,
    signatureValid,
  };
}
