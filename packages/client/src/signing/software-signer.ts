import { X509Certificate, constants, createPrivateKey, sign as nodeSign } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import type { HashName, SignatureScheme, Signer } from './signer';

export type SoftwareSignerOptions = {
  /** PKCS#8 PEM, or a KeyObject. */
  privateKey: string | Buffer | KeyObject;
  /** PEM or DER certificates, the signer's first. */
  certificates: (string | Buffer)[];
  /** Default: rsa-pkcs1 for an RSA key, ecdsa for an EC key. */
  scheme?: SignatureScheme;
};

const saltLength: Record<HashName, number> = { sha256: 32, sha384: 48, sha512: 64 };

/** A signer over a key held in memory: for tests and server-side robots, never for a person's legal signature. */
export function softwareSigner(options: SoftwareSignerOptions): Signer {
  const key =
    typeof options.privateKey === 'string' || Buffer.isBuffer(options.privateKey)
      ? createPrivateKey(options.privateKey)
      : options.privateKey;
  const scheme = options.scheme ?? (key.asymmetricKeyType === 'ec' ? 'ecdsa' : 'rsa-pkcs1');
  const chain = options.certificates.map((c) => new Uint8Array(new X509Certificate(c).raw));
  if (chain.length === 0) throw new Error('softwareSigner needs the signer certificate');
  return {
    scheme,
    certificateChain: () => Promise.resolve(chain),
    sign: (data, hash) => {
      if (scheme === 'rsa-pss')
        return Promise.resolve(
          nodeSign(hash, data, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: saltLength[hash] }),
        );
      return Promise.resolve(nodeSign(hash, data, scheme === 'ecdsa' ? { key, dsaEncoding: 'der' } : key));
    },
  };
}
