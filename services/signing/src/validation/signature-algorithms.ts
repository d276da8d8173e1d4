// The signature algorithms a SignerInfo may declare, and how each is verified: exactly as
// declared (issue: a declared RSA-SHA3-256, or a curve OID where an algorithm belongs, must not
// pass because verification went by key type and digest).
import { constants, verify as nodeVerify } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import type { DigestName } from './cms-checks';

type KeyType = 'rsa' | 'ec' | 'ed25519';
type Algorithm = {
  name: string;
  key: KeyType;
  /** The digest the algorithm names; null: the SignerInfo's digest algorithm (rsaEncryption, id-ecPublicKey). */
  hash: DigestName | null;
  scheme: 'pkcs1' | 'pss' | 'ecdsa-der' | 'ecdsa-plain' | 'eddsa';
};

const a = (name: string, key: KeyType, hash: DigestName | null, scheme: Algorithm['scheme']): Algorithm => ({
  name,
  key,
  hash,
  scheme,
});

export const SIGNATURE_ALGORITHMS: Record<string, Algorithm> = {
  // RFC 8017 / RFC 4055: CMS commonly names the key algorithm and takes the hash from digestAlgorithm.
  '1.2.840.113549.1.1.1': a('RSA (PKCS #1 v1.5)', 'rsa', null, 'pkcs1'),
  '1.2.840.113549.1.1.5': a('RSA with SHA-1', 'rsa', 'sha1', 'pkcs1'),
  '1.2.840.113549.1.1.11': a('RSA with SHA-256', 'rsa', 'sha256', 'pkcs1'),
  '1.2.840.113549.1.1.12': a('RSA with SHA-384', 'rsa', 'sha384', 'pkcs1'),
  '1.2.840.113549.1.1.13': a('RSA with SHA-512', 'rsa', 'sha512', 'pkcs1'),
  '1.2.840.113549.1.1.10': a('RSASSA-PSS', 'rsa', null, 'pss'),
  // RFC 5753 / RFC 5758: ECDSA, the value a DER SEQUENCE { r, s }.
  '1.2.840.10045.2.1': a('ECDSA (id-ecPublicKey)', 'ec', null, 'ecdsa-der'),
  '1.2.840.10045.4.1': a('ECDSA with SHA-1', 'ec', 'sha1', 'ecdsa-der'),
  '1.2.840.10045.4.3.2': a('ECDSA with SHA-256', 'ec', 'sha256', 'ecdsa-der'),
  '1.2.840.10045.4.3.3': a('ECDSA with SHA-384', 'ec', 'sha384', 'ecdsa-der'),
  '1.2.840.10045.4.3.4': a('ECDSA with SHA-512', 'ec', 'sha512', 'ecdsa-der'),
  // BSI TR-03111 §5.2.1 plain ECDSA: the value is r‖s, each as long as the curve order.
  '0.4.0.127.0.7.1.1.4.1.1': a('plain ECDSA with SHA-1', 'ec', 'sha1', 'ecdsa-plain'),
  '0.4.0.127.0.7.1.1.4.1.3': a('plain ECDSA with SHA-256', 'ec', 'sha256', 'ecdsa-plain'),
  '0.4.0.127.0.7.1.1.4.1.4': a('plain ECDSA with SHA-384', 'ec', 'sha384', 'ecdsa-plain'),
  '0.4.0.127.0.7.1.1.4.1.5': a('plain ECDSA with SHA-512', 'ec', 'sha512', 'ecdsa-plain'),
  // RFC 8419: Ed25519 with SHA-512 as the CMS digest.
  '1.3.101.112': a('Ed25519', 'ed25519', 'sha512', 'eddsa'),
};

/** Algorithms we know but do not verify: named in the report as unsupported. */
const KNOWN_UNSUPPORTED: Record<string, string> = {
  '2.16.840.1.101.3.4.3.13': 'RSA with SHA3-224',
  '2.16.840.1.101.3.4.3.14': 'RSA with SHA3-256',
  '2.16.840.1.101.3.4.3.15': 'RSA with SHA3-384',
  '2.16.840.1.101.3.4.3.16': 'RSA with SHA3-512',
  '2.16.840.1.101.3.4.3.10': 'ECDSA with SHA3-256',
  '2.16.840.1.101.3.4.3.11': 'ECDSA with SHA3-384',
  '2.16.840.1.101.3.4.3.12': 'ECDSA with SHA3-512',
  '1.2.840.113549.1.1.14': 'RSA with SHA-224',
  '1.2.840.10045.4.3.1': 'ECDSA with SHA-224',
  '0.4.0.127.0.7.1.1.4.1.2': 'plain ECDSA with SHA-224',
  '1.2.156.10197.1.501': 'SM2 with SM3',
};

/** Curve and key OIDs that name no signature algorithm (RFC 5480 §2.1.1.1, SEC 2, RFC 5639). */
const isCurveOid = (oid: string): boolean =>
  /^1\.2\.840\.10045\.3\./.test(oid) || /^1\.3\.132\.0\./.test(oid) || /^1\.3\.36\.3\.3\.2\.8\.1\.1\./.test(oid);

export type AlgorithmVerdict =
  | { kind: 'verified'; name: string }
  | { kind: 'bad-signature'; name: string }
  | { kind: 'unsupported'; reason: string }
  | { kind: 'malformed'; reason: string };

const pssAuto = (key: KeyObject): { key: KeyObject; padding: number; saltLength: number } => ({
  key,
  padding: constants.RSA_PKCS1_PSS_PADDING,
  saltLength: constants.RSA_PSS_SALTLEN_AUTO,
});

/** Verifies `signature` over `data` with exactly the algorithm `oid` declares, and the key it must have. */
export function verifyDeclared(
  oid: string,
  digest: DigestName,
  key: KeyObject,
  data: Buffer,
  signature: Buffer,
): AlgorithmVerdict {
  const algorithm = SIGNATURE_ALGORITHMS[oid];
  // RFC 8419: Ed448 goes with SHAKE256, a digest we do not support, so no Ed448 CMS can be right here.
  if (oid === '1.3.101.113')
    return { kind: 'malformed', reason: 'Ed448 signatures must use SHAKE256 (RFC 8419), which is not supported' };
  if (!algorithm) {
    if (isCurveOid(oid))
      return { kind: 'malformed', reason: `the signature algorithm field holds a curve identifier (${oid})` };
    const known = KNOWN_UNSUPPORTED[oid];
    return { kind: 'unsupported', reason: `unsupported signature algorithm ${known ? `${known} (${oid})` : oid}` };
  }
  const keyType = key.asymmetricKeyType === 'rsa-pss' ? 'rsa' : key.asymmetricKeyType;
  if (keyType !== algorithm.key)
    return {
      kind: 'malformed',
      reason: `${algorithm.name} is declared but the signer's key is ${keyType ?? 'unknown'}`,
    };
  if (algorithm.hash && algorithm.hash !== digest)
    return {
      kind: 'malformed',
      reason:
        algorithm.scheme === 'eddsa'
          ? 'Ed25519 signatures must use SHA-512 as digest (RFC 8419)'
          : `${algorithm.name} is declared but the digest algorithm is ${digest}`,
    };
  let ok = false;
  try {
    switch (algorithm.scheme) {
      case 'eddsa':
        ok = nodeVerify(null, data, key, signature);
        break;
      case 'pss':
        ok = nodeVerify(digest, data, pssAuto(key), signature);
        break;
      case 'ecdsa-plain':
        ok = nodeVerify(digest, data, { key, dsaEncoding: 'ieee-p1363' }, signature);
        break;
      case 'ecdsa-der':
        if (signature[0] !== 0x30)
          return { kind: 'malformed', reason: `${algorithm.name} needs a DER value; this one is plain r‖s` };
        ok = nodeVerify(digest, data, key, signature);
        break;
      default:
        ok = nodeVerify(digest, data, key, signature);
    }
  } catch {
    ok = false;
  }
  return ok ? { kind: 'verified', name: algorithm.name } : { kind: 'bad-signature', name: algorithm.name };
}
