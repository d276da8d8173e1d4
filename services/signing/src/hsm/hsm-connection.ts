import { createHash, createPublicKey } from 'node:crypto';
import fs from 'node:fs';
import * as pkcs11js from 'pkcs11js';
import { saltLengthOf } from '../pades/algorithms';
import type { HashName, SignatureScheme } from '../pades/algorithms';

export type HsmSettings = { modulePath: string; tokenLabel: string; pin: string; poolSize?: number };
export type HsmKey = { label: string; idHex: string };
export type HsmStatus = { tokenLabel: string; slot: string; model: string; keys: HsmKey[] };

export class HsmUnavailableError extends Error {}

/** A key pair generated in the token: its CKA_ID and the public half (SubjectPublicKeyInfo, DER). */
export type GeneratedKeyPair = { idHex: string; label: string; publicKeyDer: Buffer };

/** What the token says about a private key's protection (PKCS#11 v2.40 §4.9). */
export type KeyProtection = {
  token: boolean;
  sensitive: boolean;
  extractable: boolean;
  alwaysSensitive: boolean;
  neverExtractable: boolean;
};

/** Reads the PIN from a file so it never sits in the environment or a log line. */
export function readPin(pinFile: string): string {
  return fs.readFileSync(pinFile, 'utf8').trim();
}

const LOST_SESSION = new Set([
  pkcs11js.CKR_SESSION_HANDLE_INVALID,
  pkcs11js.CKR_SESSION_CLOSED,
  pkcs11js.CKR_OPERATION_ACTIVE,
]);
const LOST_TOKEN = new Set([
  pkcs11js.CKR_DEVICE_REMOVED,
  pkcs11js.CKR_TOKEN_NOT_PRESENT,
  pkcs11js.CKR_DEVICE_ERROR,
  pkcs11js.CKR_USER_NOT_LOGGED_IN,
  pkcs11js.CKR_CRYPTOKI_NOT_INITIALIZED,
  pkcs11js.CKR_TOKEN_NOT_RECOGNIZED,
]);

const digestMechanisms: Record<HashName, { rsa: number; pss: number; hash: number; mgf: number }> = {
  sha256: {
    rsa: pkcs11js.CKM_SHA256_RSA_PKCS,
    pss: pkcs11js.CKM_SHA256_RSA_PKCS_PSS,
    hash: pkcs11js.CKM_SHA256,
    mgf: pkcs11js.CKG_MGF1_SHA256,
  },
  sha384: {
    rsa: pkcs11js.CKM_SHA384_RSA_PKCS,
    pss: pkcs11js.CKM_SHA384_RSA_PKCS_PSS,
    hash: pkcs11js.CKM_SHA384,
    mgf: pkcs11js.CKG_MGF1_SHA384,
  },
  sha512: {
    rsa: pkcs11js.CKM_SHA512_RSA_PKCS,
    pss: pkcs11js.CKM_SHA512_RSA_PKCS_PSS,
    hash: pkcs11js.CKM_SHA512,
    mgf: pkcs11js.CKG_MGF1_SHA512,
  },
};

type KeyUsage = { count: number; lastUsedAt: string | null };

/**
 * The process's connection to the PKCS#11 token holding organisation seal keys.
 *
 * - C_Initialize runs once with CKF_OS_LOCKING_OK: pkcs11js' asynchronous calls enter the
 *   module from libuv's thread pool, so the module must lock for itself.
 * - A pool of sessions, each used by one operation at a time (a session has one active
 *   operation: CKR_OPERATION_ACTIVE otherwise). The login is per application, so one C_Login
 *   on the first session covers all of them; closing the last session would log out.
 * - C_Sign runs asynchronously (off the event loop); the data and output buffers are held by
 *   the closure until the callback (pkcs11js #121).
 * - A lost session is replaced; a removed token or a lost login reopens the whole connection
 *   once before the operation fails with HsmUnavailableError.
 */
export class HsmConnection {
  private pkcs11: pkcs11js.PKCS11 | undefined;
  private slot: pkcs11js.Handle | undefined;
  private sessions: pkcs11js.Handle[] = [];
  private idle: pkcs11js.Handle[] = [];
  private waiting: ((session: pkcs11js.Handle) => void)[] = [];
  private readonly keyHandles = new Map<string, pkcs11js.Handle>();
  private readonly usage = new Map<string, KeyUsage>();
  private reopening: Promise<void> | undefined;

  constructor(private readonly settings: HsmSettings) {}

  get poolSize(): number {
    return Math.max(1, this.settings.poolSize ?? 4);
  }

  open(): void {
    const pkcs11 = new pkcs11js.PKCS11();
    try {
      pkcs11.load(this.settings.modulePath);
    } catch (error) {
      throw new HsmUnavailableError(
        `cannot load the PKCS#11 module ${this.settings.modulePath}: ${(error as Error).message}`,
      );
    }
    try {
      pkcs11.C_Initialize({ flags: pkcs11js.CKF_OS_LOCKING_OK });
    } catch (error) {
      if (!(error instanceof pkcs11js.Pkcs11Error && error.code === pkcs11js.CKR_CRYPTOKI_ALREADY_INITIALIZED))
        throw error;
    }
    this.pkcs11 = pkcs11;
    try {
      this.slot = this.findSlot();
      const first = pkcs11.C_OpenSession(this.slot, pkcs11js.CKF_SERIAL_SESSION | pkcs11js.CKF_RW_SESSION);
      this.sessions = [first];
      try {
        pkcs11.C_Login(first, pkcs11js.CKU_USER, this.settings.pin);
      } catch (error) {
        if (!(error instanceof pkcs11js.Pkcs11Error && error.code === pkcs11js.CKR_USER_ALREADY_LOGGED_IN)) {
          const reason =
            error instanceof pkcs11js.Pkcs11Error && error.code === pkcs11js.CKR_PIN_INCORRECT
              ? 'the PIN is wrong'
              : (error as Error).message;
          throw new HsmUnavailableError(`cannot log in to token ${this.settings.tokenLabel}: ${reason}`);
        }
      }
      for (let i = 1; i < this.poolSize; i += 1)
        this.sessions.push(pkcs11.C_OpenSession(this.slot, pkcs11js.CKF_SERIAL_SESSION | pkcs11js.CKF_RW_SESSION));
      this.idle = [...this.sessions];
      this.keyHandles.clear();
    } catch (error) {
      this.close();
      throw error;
    }
  }

  private findSlot(): pkcs11js.Handle {
    const pkcs11 = this.required();
    for (const slot of pkcs11.C_GetSlotList(true)) {
      const token = pkcs11.C_GetTokenInfo(slot);
      if (token.label.trim() === this.settings.tokenLabel) return slot;
    }
    throw new HsmUnavailableError(`no token labelled ${this.settings.tokenLabel} is present`);
  }

  private required(): pkcs11js.PKCS11 {
    if (!this.pkcs11) throw new HsmUnavailableError('the HSM connection is not open');
    return this.pkcs11;
  }

  private acquire(): Promise<pkcs11js.Handle> {
    const session = this.idle.pop();
    if (session) return Promise.resolve(session);
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private release(session: pkcs11js.Handle): void {
    if (!this.sessions.includes(session)) return;
    const next = this.waiting.shift();
    if (next) next(session);
    else this.idle.push(session);
  }

  private findPrivateKey(session: pkcs11js.Handle, keyIdHex: string): pkcs11js.Handle {
    const cached = this.keyHandles.get(keyIdHex);
    if (cached) return cached;
    const pkcs11 = this.required();
    pkcs11.C_FindObjectsInit(session, [
      { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_PRIVATE_KEY },
      { type: pkcs11js.CKA_ID, value: Buffer.from(keyIdHex, 'hex') },
    ]);
    let handle: pkcs11js.Handle | null;
    try {
      handle = pkcs11.C_FindObjects(session);
    } finally {
      pkcs11.C_FindObjectsFinal(session);
    }
    if (!handle)
      throw new HsmUnavailableError(`no private key with id ${keyIdHex} on token ${this.settings.tokenLabel}`);
    this.keyHandles.set(keyIdHex, handle);
    return handle;
  }

  private mechanism(scheme: SignatureScheme, hash: HashName): pkcs11js.Mechanism {
    const m = digestMechanisms[hash];
    if (scheme === 'rsa-pkcs1') return { mechanism: m.rsa };
    if (scheme === 'ecdsa') return { mechanism: pkcs11js.CKM_ECDSA };
    const parameter: pkcs11js.RsaPSS = {
      type: pkcs11js.CK_PARAMS_RSA_PSS,
      hashAlg: m.hash,
      mgf: m.mgf,
      // The salt is as long as the digest, as the CMS's RSASSA-PSS parameters say (pades/algorithms.ts).
      saltLen: saltLengthOf(hash),
    };
    return { mechanism: m.pss, parameter };
  }

  private signOnce(
    session: pkcs11js.Handle,
    keyIdHex: string,
    mechanism: pkcs11js.Mechanism,
    data: Buffer,
  ): Promise<Buffer> {
    const pkcs11 = this.required();
    const key = this.findPrivateKey(session, keyIdHex);
    pkcs11.C_SignInit(session, mechanism, key);
    const out = Buffer.alloc(1024);
    return new Promise((resolve, reject) => {
      // `data` and `out` stay referenced by this closure until the native callback runs.
      pkcs11.C_Sign(session, data, out, (error, signature) => {
        if (error) reject(error);
        else resolve(Buffer.from(signature));
      });
    });
  }

  /**
   * Signs `data` with the private key `keyIdHex`. RSA mechanisms hash inside the token; for
   * ECDSA the caller passes the digest and gets the raw r‖s value back.
   */
  async sign(keyIdHex: string, scheme: SignatureScheme, hash: HashName, data: Buffer): Promise<Buffer> {
    const mechanism = this.mechanism(scheme, hash);
    let reopened = false;
    for (let attempt = 0; ; attempt += 1) {
      if (this.reopening) await this.reopening;
      const session = await this.acquire();
      try {
        const signature = await this.signOnce(session, keyIdHex, mechanism, data);
        const usage = this.usage.get(keyIdHex) ?? { count: 0, lastUsedAt: null };
        usage.count += 1;
        usage.lastUsedAt = new Date().toISOString();
        this.usage.set(keyIdHex, usage);
        this.release(session);
        return signature;
      } catch (error) {
        const code = error instanceof pkcs11js.Pkcs11Error ? error.code : undefined;
        if (code !== undefined && LOST_SESSION.has(code) && attempt < this.poolSize + 2) {
          this.replaceSession(session);
          continue;
        }
        if (code === pkcs11js.CKR_KEY_HANDLE_INVALID || code === pkcs11js.CKR_OBJECT_HANDLE_INVALID) {
          // Handles do not survive a re-login on every module: look the key up again.
          this.keyHandles.delete(keyIdHex);
          this.release(session);
          if (attempt < this.poolSize + 2) continue;
        } else {
          this.release(session);
        }
        const lost =
          (code !== undefined && LOST_TOKEN.has(code)) || !this.pkcs11 || code === pkcs11js.CKR_KEY_HANDLE_INVALID;
        if (lost && !reopened) {
          reopened = true;
          try {
            await this.reopen();
          } catch (reopenError) {
            throw new HsmUnavailableError(
              `the HSM token ${this.settings.tokenLabel} is unavailable: ${(reopenError as Error).message}`,
            );
          }
          continue;
        }
        if (error instanceof HsmUnavailableError) throw error;
        if (lost || code !== undefined)
          throw new HsmUnavailableError(
            `the HSM token ${this.settings.tokenLabel} failed: ${(error as Error).message}`,
          );
        throw error;
      }
    }
  }

  /** One pooled session for a short piece of work; token-level failures become HsmUnavailableError. */
  private async withSession<T>(
    work: (pkcs11: pkcs11js.PKCS11, session: pkcs11js.Handle) => Promise<T> | T,
  ): Promise<T> {
    if (this.reopening) await this.reopening;
    const pkcs11 = this.required();
    const session = await this.acquire();
    try {
      return await work(pkcs11, session);
    } catch (error) {
      if (error instanceof pkcs11js.Pkcs11Error)
        throw new HsmUnavailableError(`the HSM token ${this.settings.tokenLabel} failed: ${error.message}`);
      throw error;
    } finally {
      this.release(session);
    }
  }

  private findObject(
    pkcs11: pkcs11js.PKCS11,
    session: pkcs11js.Handle,
    objectClass: number,
    keyIdHex: string,
  ): pkcs11js.Handle | null {
    pkcs11.C_FindObjectsInit(session, [
      { type: pkcs11js.CKA_CLASS, value: objectClass },
      { type: pkcs11js.CKA_ID, value: Buffer.from(keyIdHex, 'hex') },
    ]);
    try {
      return pkcs11.C_FindObjects(session);
    } finally {
      pkcs11.C_FindObjectsFinal(session);
    }
  }

  /**
   * Generates an RSA key pair inside the token. The private key is a token object that is sensitive and not
   * extractable, so it can sign but never leave the device; only the public half is read back. Its CKA_ID becomes
   * the SHA-1 of the RSAPublicKey (the certificate's Subject Key Identifier, RFC 5280 4.2.1.2 method 1), the same
   * convention as the imported bootstrap seals, so key and certificate pair up in any PKCS#11 client.
   */
  generateRsaKeyPair(label: string, modulusBits: number): Promise<GeneratedKeyPair> {
    return this.withSession(async (pkcs11, session) => {
      const provisional = Buffer.from(`pending-${process.pid}-${Date.now()}-${Math.random()}`);
      const common = [
        { type: pkcs11js.CKA_TOKEN, value: true },
        { type: pkcs11js.CKA_LABEL, value: label },
        { type: pkcs11js.CKA_ID, value: provisional },
        { type: pkcs11js.CKA_KEY_TYPE, value: pkcs11js.CKK_RSA },
      ];
      const keys = await new Promise<pkcs11js.KeyPair>((resolve, reject) =>
        // Asynchronous: an RSA-3072 generation takes seconds and must not hold the event loop.
        pkcs11.C_GenerateKeyPair(
          session,
          { mechanism: pkcs11js.CKM_RSA_PKCS_KEY_PAIR_GEN },
          [
            ...common,
            { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_PUBLIC_KEY },
            { type: pkcs11js.CKA_PRIVATE, value: false },
            { type: pkcs11js.CKA_VERIFY, value: true },
            { type: pkcs11js.CKA_ENCRYPT, value: false },
            { type: pkcs11js.CKA_MODULUS_BITS, value: modulusBits },
            { type: pkcs11js.CKA_PUBLIC_EXPONENT, value: Buffer.from([1, 0, 1]) },
          ],
          [
            ...common,
            { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_PRIVATE_KEY },
            { type: pkcs11js.CKA_PRIVATE, value: true },
            { type: pkcs11js.CKA_SENSITIVE, value: true },
            { type: pkcs11js.CKA_EXTRACTABLE, value: false },
            { type: pkcs11js.CKA_SIGN, value: true },
            { type: pkcs11js.CKA_DECRYPT, value: false },
          ],
          (error, pair) => (error ? reject(error) : resolve(pair)),
        ),
      );
      try {
        const publicKey = this.rsaPublicKey(pkcs11, session, keys.publicKey);
        const idHex = createHash('sha1')
          .update(publicKey.export({ type: 'pkcs1', format: 'der' }))
          .digest('hex');
        const id = [{ type: pkcs11js.CKA_ID, value: Buffer.from(idHex, 'hex') }];
        pkcs11.C_SetAttributeValue(session, keys.publicKey, id);
        pkcs11.C_SetAttributeValue(session, keys.privateKey, id);
        return { idHex, label, publicKeyDer: publicKey.export({ type: 'spki', format: 'der' }) };
      } catch (error) {
        // Never leave a key pair behind that no record points to.
        for (const handle of [keys.privateKey, keys.publicKey]) {
          try {
            pkcs11.C_DestroyObject(session, handle);
          } catch {
            // already gone with the failure being reported
          }
        }
        throw error;
      }
    });
  }

  private rsaPublicKey(pkcs11: pkcs11js.PKCS11, session: pkcs11js.Handle, handle: pkcs11js.Handle) {
    const [modulus, exponent] = pkcs11.C_GetAttributeValue(session, handle, [
      { type: pkcs11js.CKA_MODULUS },
      { type: pkcs11js.CKA_PUBLIC_EXPONENT },
    ]);
    return createPublicKey({
      key: {
        kty: 'RSA',
        n: (modulus?.value as Buffer).toString('base64url'),
        e: (exponent?.value as Buffer).toString('base64url'),
      },
      format: 'jwk',
    });
  }

  /** Destroys the key pair `keyIdHex` (a generation that could not be recorded); absent objects are no error. */
  destroyKeyPair(keyIdHex: string): Promise<void> {
    return this.withSession((pkcs11, session) => {
      for (const objectClass of [pkcs11js.CKO_PRIVATE_KEY, pkcs11js.CKO_PUBLIC_KEY]) {
        const handle = this.findObject(pkcs11, session, objectClass, keyIdHex);
        if (handle) pkcs11.C_DestroyObject(session, handle);
      }
      this.keyHandles.delete(keyIdHex);
    });
  }

  /** The public half (SubjectPublicKeyInfo, DER) of the token's key `keyIdHex`, or undefined when it is not there. */
  publicKeyOf(keyIdHex: string): Promise<Buffer | undefined> {
    return this.withSession((pkcs11, session) => {
      const handle = this.findObject(pkcs11, session, pkcs11js.CKO_PUBLIC_KEY, keyIdHex);
      if (!handle) return undefined;
      return this.rsaPublicKey(pkcs11, session, handle).export({ type: 'spki', format: 'der' });
    });
  }

  /** How the token protects the private key `keyIdHex`, or undefined when it has no such key. */
  privateKeyProtection(keyIdHex: string): Promise<KeyProtection | undefined> {
    return this.withSession((pkcs11, session) => {
      const handle = this.findObject(pkcs11, session, pkcs11js.CKO_PRIVATE_KEY, keyIdHex);
      if (!handle) return undefined;
      const flag = (type: number): boolean => {
        const value = pkcs11.C_GetAttributeValue(session, handle, [{ type }])[0]?.value as Buffer | undefined;
        return value?.[0] === 1;
      };
      return {
        token: flag(pkcs11js.CKA_TOKEN),
        sensitive: flag(pkcs11js.CKA_SENSITIVE),
        extractable: flag(pkcs11js.CKA_EXTRACTABLE),
        alwaysSensitive: flag(pkcs11js.CKA_ALWAYS_SENSITIVE),
        neverExtractable: flag(pkcs11js.CKA_NEVER_EXTRACTABLE),
      };
    });
  }

  private replaceSession(session: pkcs11js.Handle): void {
    const pkcs11 = this.required();
    try {
      pkcs11.C_CloseSession(session);
    } catch {
      // the session is already gone; that is why it is being replaced
    }
    this.sessions = this.sessions.filter((s) => s !== session);
    const fresh = pkcs11.C_OpenSession(
      this.slot as pkcs11js.Handle,
      pkcs11js.CKF_SERIAL_SESSION | pkcs11js.CKF_RW_SESSION,
    );
    // Losing every session logs the application out: log in again on the fresh one.
    try {
      pkcs11.C_Login(fresh, pkcs11js.CKU_USER, this.settings.pin);
    } catch (error) {
      if (!(error instanceof pkcs11js.Pkcs11Error && error.code === pkcs11js.CKR_USER_ALREADY_LOGGED_IN)) {
        pkcs11.C_CloseSession(fresh);
        throw new HsmUnavailableError(`cannot log in to token ${this.settings.tokenLabel} again`);
      }
    }
    this.keyHandles.clear();
    this.sessions.push(fresh);
    this.release(fresh);
  }

  /** Finalises and opens again (token re-plugged, login lost); concurrent callers share one reopen. */
  reopen(): Promise<void> {
    if (!this.reopening) {
      this.reopening = (async () => {
        const waiting = this.waiting;
        this.waiting = [];
        this.close();
        try {
          this.open();
        } finally {
          this.reopening = undefined;
          // Anyone who queued on the old pool retries on the new one.
          for (const resolve of waiting) void this.acquire().then(resolve);
        }
      })();
    }
    return this.reopening;
  }

  /** Sessions in use, operations waiting for one, and the pool's size (metrics). */
  load(): { running: number; waiting: number; capacity: number } {
    return {
      running: this.sessions.length - this.idle.length,
      waiting: this.waiting.length,
      capacity: this.sessions.length,
    };
  }

  /** Token presence and the private keys on it, with usage counts; throws when the token is gone. */
  status(): HsmStatus & { keyUsage: Record<string, KeyUsage>; sessions: number; idleSessions: number } {
    const pkcs11 = this.required();
    const slot = this.slot as pkcs11js.Handle;
    const session = this.sessions[0];
    if (!session) throw new HsmUnavailableError('the HSM connection has no session');
    const token = pkcs11.C_GetTokenInfo(slot);
    const keys: HsmKey[] = [];
    // A short-lived session so status never competes with a signing operation for a pooled one.
    const own = pkcs11.C_OpenSession(slot, pkcs11js.CKF_SERIAL_SESSION);
    try {
      pkcs11.C_FindObjectsInit(own, [{ type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_PRIVATE_KEY }]);
      try {
        for (let handle = pkcs11.C_FindObjects(own); handle; handle = pkcs11.C_FindObjects(own)) {
          const attributes = pkcs11.C_GetAttributeValue(own, handle, [
            { type: pkcs11js.CKA_LABEL },
            { type: pkcs11js.CKA_ID },
          ]);
          keys.push({
            label: (attributes[0]?.value as Buffer | undefined)?.toString('utf8') ?? '',
            idHex: (attributes[1]?.value as Buffer | undefined)?.toString('hex') ?? '',
          });
        }
      } finally {
        pkcs11.C_FindObjectsFinal(own);
      }
    } finally {
      pkcs11.C_CloseSession(own);
    }
    return {
      tokenLabel: token.label.trim(),
      slot: slot.toString('hex'),
      model: token.model.trim(),
      keys,
      keyUsage: Object.fromEntries(this.usage),
      sessions: this.sessions.length,
      idleSessions: this.idle.length,
    };
  }

  close(): void {
    if (!this.pkcs11) return;
    try {
      this.pkcs11.C_Finalize();
    } catch {
      // finalising a module that already lost its token is not an error worth surfacing
    }
    this.pkcs11.close();
    this.pkcs11 = undefined;
    this.sessions = [];
    this.idle = [];
    this.keyHandles.clear();
  }
}
