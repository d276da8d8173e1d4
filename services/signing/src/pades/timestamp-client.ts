import { createHash, randomBytes } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { toArrayBuffer } from '../x509/der-reader';
import type { Cert } from '../x509/certificate';
import { tryCert } from '../x509/certificate';
import { parseSignedDataParts } from '../x509/cms-structure';
import { hashAlgorithmIdentifier } from './algorithms';
import type { HashName } from './algorithms';

export class TimestampUnavailableError extends Error {}

export type TsaSettings = { urls: string[]; timeoutMs: number };

/**
 * RFC 3161 time-stamp of `data` (the signature value for B-T, the document's byte ranges for a
 * document time-stamp). TSAs are tried in order, each with its own timeout: the national TSA
 * can be slow, and a second one keeps signing available.
 */
export async function requestTimestamp(
  data: Buffer | { digest: Buffer },
  hash: HashName,
  settings: TsaSettings,
): Promise<Buffer> {
  if (settings.urls.length === 0) throw new TimestampUnavailableError('no time-stamping authority is configured');
  const imprint = Buffer.isBuffer(data) ? createHash(hash).update(data).digest() : data.digest;
  const nonce = randomBytes(8);
  nonce[0] = ((nonce[0] ?? 0) & 0x3f) | 0x40;
  const request = new pkijs.TimeStampReq({
    version: 1,
    messageImprint: new pkijs.MessageImprint({
      hashAlgorithm: hashAlgorithmIdentifier(hash),
      hashedMessage: new asn1js.OctetString({ valueHex: toArrayBuffer(imprint) }),
    }),
    nonce: new asn1js.Integer({ valueHex: toArrayBuffer(nonce) }),
    certReq: true,
  });
  const body = Buffer.from(request.toSchema().toBER(false));
  const failures: string[] = [];
  for (const url of settings.urls) {
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/timestamp-query' },
        body,
        signal: AbortSignal.timeout(settings.timeoutMs),
      });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      const der = Buffer.from(await response.arrayBuffer());
      const parsed = pkijs.TimeStampResp.fromBER(toArrayBuffer(der));
      if (parsed.status.status !== 0 && parsed.status.status !== 1) throw new Error(`status ${parsed.status.status}`);
      if (!parsed.timeStampToken) throw new Error('no token in the response');
      const tstInfo = tstInfoOf(parsed.timeStampToken);
      if (!Buffer.from(tstInfo.messageImprint.hashedMessage.valueBlock.valueHexView).equals(imprint))
        throw new Error('the token time-stamps other data');
      const gotNonce = tstInfo.nonce ? Buffer.from(tstInfo.nonce.valueBlock.valueHexView).toString('hex') : undefined;
      if (gotNonce !== undefined && BigInt(`0x${gotNonce || '0'}`) !== BigInt(`0x${nonce.toString('hex')}`))
        throw new Error('the nonce does not match');
      return Buffer.from(parsed.timeStampToken.toSchema().toBER(false));
    } catch (error) {
      failures.push(
        `${url}: ${(error as Error).name === 'TimeoutError' ? `no answer within ${settings.timeoutMs} ms` : (error as Error).message}`,
      );
    }
  }
  throw new TimestampUnavailableError(`no time-stamping authority answered (${failures.join('; ')})`);
}

export function tstInfoOf(token: pkijs.ContentInfo): pkijs.TSTInfo {
  const signedData = new pkijs.SignedData({ schema: token.content });
  const eContent = signedData.encapContentInfo.eContent;
  if (!eContent) throw new Error('time-stamp token without TSTInfo');
  const inner = Buffer.from(eContent.getValue());
  return pkijs.TSTInfo.fromBER(toArrayBuffer(inner));
}

export function timestampGenTime(tokenDer: Buffer): Date {
  return tstInfoOf(pkijs.ContentInfo.fromBER(toArrayBuffer(tokenDer))).genTime;
}

/** The certificates a time-stamp token carries (the TSA's, with its chain when the TSA sends it). */
export function timestampCertificates(tokenDer: Buffer): Cert[] {
  return parseSignedDataParts(tokenDer).certificates.flatMap((der) => tryCert(der) ?? []);
}
