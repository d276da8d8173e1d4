import { createHash, createPrivateKey, sign as nodeSign } from 'node:crypto';
import type { HsmConnection } from '../hsm/hsm-connection';
import type { Cert } from '../x509/certificate';
import { seq, tlv } from './der';
import { saltLengthOf } from './algorithms';
import type { HashName, SignatureScheme } from './algorithms';

/** Something that signs DER signed attributes with a certificate's key. */
export type CmsSigner = {
  certificate: Cert;
  chain: Cert[];
  scheme: SignatureScheme;
  hash: HashName;
  sign(signedAttributesDer: Buffer): Promise<Buffer>;
};

/** ECDSA raw r‖s (PKCS#11 output) to the DER SEQUENCE CMS carries (RFC 5753). */
export function ecdsaRawToDer(raw: Buffer): Buffer {
  const half = raw.length / 2;
  // DER INTEGERs: no leading zero bytes, one zero byte before a high bit (X.690 §8.3.2).
  const int = (b: Buffer): Buffer => {
    let v = b;
    while (v.length > 1 && v[0] === 0) v = v.subarray(1);
    if ((v[0] ?? 0) & 0x80) v = Buffer.concat([Buffer.from([0]), v]);
    return tlv(0x02, v);
  };
  return seq(int(raw.subarray(0, half)), int(raw.subarray(half)));
}

/** An organisation seal key in the HSM, reached through the session pool. */
export function hsmSigner(
  hsm: HsmConnection,
  keyIdHex: string,
  certificate: Cert,
  chain: Cert[],
  scheme: SignatureScheme,
  hash: HashName,
): CmsSigner {
  return {
    certificate,
    chain,
    scheme,
    hash,
    sign: async (der) => {
      if (scheme === 'ecdsa')
        return ecdsaRawToDer(await hsm.sign(keyIdHex, scheme, hash, createHash(hash).update(der).digest()));
      return hsm.sign(keyIdHex, scheme, hash, der);
    },
  };
}

/** A key held in memory: test clients and the document time-stamp path use it; seals never do. */
export function softwareSigner(
  privateKeyPem: string,
  certificate: Cert,
  chain: Cert[],
  scheme: SignatureScheme,
  hash: HashName,
): CmsSigner {
  const key = createPrivateKey(privateKeyPem);
  return {
    certificate,
    chain,
    scheme,
    hash,
    sign: async (der) => {
      if (scheme === 'rsa-pss') return nodeSign(hash, der, { key, padding: 6, saltLength: saltLengthOf(hash) });
      return nodeSign(hash, der, key);
    },
  };
}
