/** How the token signs: the `scheme` the signing session is prepared for. */
export type SignatureScheme = 'rsa-pkcs1' | 'rsa-pss' | 'ecdsa';
export type HashName = 'sha256' | 'sha384' | 'sha512';

/**
 * A key that signs on the user's side of a two-step signing session: a personal USB token through PKCS#11, or a
 * software key. The server never sees the private key; it sends the DER of the CMS signed attributes and gets the
 * signature value back.
 */
export type Signer = {
  readonly scheme: SignatureScheme;
  /** DER certificates, the signer's first (the one registered and activated for the person). */
  certificateChain: () => Promise<Uint8Array[]>;
  /** Signs `data` (the signer hashes it with `hash`): RSA PKCS#1 v1.5 / PSS, or ECDSA (DER or raw r‖s). */
  sign: (data: Uint8Array, hash: HashName) => Promise<Uint8Array>;
  /** Releases the token (logs out, finalises the module); a software key has nothing to release. */
  close?: () => Promise<void>;
};

/** The server names the digest `SHA-256`; signers take node's `sha256`. */
export function hashOf(digestAlgorithm: string): HashName {
  const name = digestAlgorithm.toLowerCase().replace('-', '');
  if (name === 'sha256' || name === 'sha384' || name === 'sha512') return name;
  throw new Error(`the signing session asks for ${digestAlgorithm}, which no signer here supports`);
}
