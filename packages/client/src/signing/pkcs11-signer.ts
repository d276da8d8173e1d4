import { X509Certificate, createHash } from 'node:crypto';
import * as pkcs11js from 'pkcs11js';
import type { HashName, SignatureScheme, Signer } from './signer';

export type Pkcs11SignerOptions = {
  /** The token vendor's PKCS#11 module (e.g. the VGCA token's .so/.dll, or libsofthsm2.so). */
  modulePath: string;
  /** The token's label; default: the first token present. */
  tokenLabel?: string;
  /** The user PIN (ask the person for it; never store it). */
  pin: string;
  /** Which key: its CKA_ID in hex, or its label; default: the token's only private key. */
  keyIdHex?: string;
  keyLabel?: string;
  /** Default: rsa-pkcs1 for an RSA key, ecdsa for an EC key. */
  scheme?: SignatureScheme;
  /** Issuing CA certificates (PEM or DER) to send after the token's certificate, when the token lacks them. */
  extraCertificates?: (string | Buffer)[];
};

const rsaMechanisms: Record<HashName, { pkcs1: number; pss: number; hash: number; mgf: number; salt: number }> = {
  sha256: {
    pkcs1: pkcs11js.CKM_SHA256_RSA_PKCS,
    pss: pkcs11js.CKM_SHA256_RSA_PKCS_PSS,
    hash: pkcs11js.CKM_SHA256,
    mgf: pkcs11js.CKG_MGF1_SHA256,
    salt: 32,
  },
  sha384: {
    pkcs1: pkcs11js.CKM_SHA384_RSA_PKCS,
    pss: pkcs11js.CKM_SHA384_RSA_PKCS_PSS,
    hash: pkcs11js.CKM_SHA384,
    mgf: pkcs11js.CKG_MGF1_SHA384,
    salt: 48,
  },
  sha512: {
    pkcs1: pkcs11js.CKM_SHA512_RSA_PKCS,
    pss: pkcs11js.CKM_SHA512_RSA_PKCS_PSS,
    hash: pkcs11js.CKM_SHA512,
    mgf: pkcs11js.CKG_MGF1_SHA512,
    salt: 64,
  },
};

/**
 * A signer over a personal token through PKCS#11 (pkcs11js): what a desktop agent beside the user's USB token
 * runs. The private key never leaves the token; the token's certificate (same CKA_ID as the key) is the signer's.
 * Open it with `await pkcs11Signer(...)`, close it with `signer.close()`.
 */
export async function pkcs11Signer(options: Pkcs11SignerOptions): Promise<Signer> {
  const p11 = new pkcs11js.PKCS11();
  p11.load(options.modulePath);
  try {
    p11.C_Initialize();
  } catch (error) {
    if (!(error instanceof pkcs11js.Pkcs11Error && error.code === pkcs11js.CKR_CRYPTOKI_ALREADY_INITIALIZED))
      throw error;
  }
  let session: pkcs11js.Handle | undefined;
  const finalise = (): void => {
    if (session !== undefined) {
      try {
        p11.C_Logout(session);
      } catch {
        // a token pulled out is logged out already
      }
      p11.C_CloseSession(session);
      session = undefined;
    }
    p11.C_Finalize();
  };
  try {
    const slot = p11
      .C_GetSlotList(true)
      .find((s) => options.tokenLabel === undefined || p11.C_GetTokenInfo(s).label.trim() === options.tokenLabel);
    if (slot === undefined)
      throw new Error(options.tokenLabel ? `no token labelled ${options.tokenLabel} is present` : 'no token present');
    const opened = p11.C_OpenSession(slot, pkcs11js.CKF_SERIAL_SESSION);
    session = opened;
    p11.C_Login(opened, pkcs11js.CKU_USER, options.pin);

    const find = (template: pkcs11js.Template): pkcs11js.Handle[] => {
      p11.C_FindObjectsInit(opened, template);
      try {
        return p11.C_FindObjects(opened, 16);
      } finally {
        p11.C_FindObjectsFinal(opened);
      }
    };
    const keys = find([
      { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_PRIVATE_KEY },
      ...(options.keyIdHex ? [{ type: pkcs11js.CKA_ID, value: Buffer.from(options.keyIdHex, 'hex') }] : []),
      ...(options.keyLabel ? [{ type: pkcs11js.CKA_LABEL, value: options.keyLabel }] : []),
    ]);
    if (keys.length !== 1)
      throw new Error(
        keys.length === 0
          ? 'no matching private key on the token'
          : `${keys.length} private keys on the token: choose one with keyIdHex or keyLabel`,
      );
    const key = keys[0] as pkcs11js.Handle;
    const [idAttr, typeAttr] = p11.C_GetAttributeValue(opened, key, [
      { type: pkcs11js.CKA_ID },
      { type: pkcs11js.CKA_KEY_TYPE },
    ]);
    const keyId = idAttr?.value as Buffer;
    // CK_ULONG in the platform's byte order (little-endian on the machines tokens plug into).
    const isEc = (typeAttr?.value as Buffer).readUInt32LE(0) === pkcs11js.CKK_EC;
    const [cert] = find([
      { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_CERTIFICATE },
      { type: pkcs11js.CKA_ID, value: keyId },
    ]);
    if (cert === undefined) throw new Error(`no certificate with the key's id ${keyId.toString('hex')} on the token`);
    const certDer = p11.C_GetAttributeValue(opened, cert, [{ type: pkcs11js.CKA_VALUE }])[0]?.value as Buffer;
    const chain = [
      new Uint8Array(certDer),
      ...(options.extraCertificates ?? []).map((c) => new Uint8Array(new X509Certificate(c).raw)),
    ];
    const scheme = options.scheme ?? (isEc ? 'ecdsa' : 'rsa-pkcs1');

    const mechanismFor = (hash: HashName): pkcs11js.Mechanism => {
      const m = rsaMechanisms[hash];
      if (scheme === 'rsa-pkcs1') return { mechanism: m.pkcs1 };
      if (scheme === 'ecdsa') return { mechanism: pkcs11js.CKM_ECDSA };
      const parameter: pkcs11js.RsaPSS = {
        type: pkcs11js.CK_PARAMS_RSA_PSS,
        hashAlg: m.hash,
        mgf: m.mgf,
        saltLen: m.salt,
      };
      return { mechanism: m.pss, parameter };
    };

    return {
      scheme,
      certificateChain: () => Promise.resolve(chain),
      sign: (data, hash) => {
        if (session === undefined) return Promise.reject(new Error('the PKCS#11 signer is closed'));
        p11.C_SignInit(session, mechanismFor(hash), key);
        // CKM_ECDSA signs a digest (raw r‖s, which signing accepts); the RSA mechanisms hash on the token.
        const input = scheme === 'ecdsa' ? createHash(hash).update(data).digest() : Buffer.from(data);
        return Promise.resolve(new Uint8Array(p11.C_Sign(session, input, Buffer.alloc(1024))));
      },
      close: () => {
        finalise();
        return Promise.resolve();
      },
    };
  } catch (error) {
    finalise();
    throw error;
  }
}
