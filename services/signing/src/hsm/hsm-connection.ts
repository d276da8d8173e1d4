import fs from 'node:fs';
import * as pkcs11js from 'pkcs11js';

export type HsmSettings = { modulePath: string; tokenLabel: string; pin: string };
export type HsmKey = { label: string; idHex: string };
export type HsmStatus = { tokenLabel: string; slot: string; model: string; keys: HsmKey[] };

export class HsmUnavailableError extends Error {}

/** Reads the PIN from a file so it never sits in the environment or a log line. */
export function readPin(pinFile: string): string {
  return fs.readFileSync(pinFile, 'utf8').trim();
}

/**
 * The process's connection to the PKCS#11 token holding organisation seal keys. C_Initialize
 * runs once with CKF_OS_LOCKING_OK (pkcs11js' async calls enter the module from libuv's thread
 * pool; without OS locking SoftHSM assumes one thread). One anchor session stays open for the
 * life of the process because closing a token's last session logs it out.
 */
export class HsmConnection {
  private pkcs11: pkcs11js.PKCS11 | undefined;
  private slot: pkcs11js.Handle | undefined;
  private anchor: pkcs11js.Handle | undefined;

  constructor(private readonly settings: HsmSettings) {}

  open(): void {
    const pkcs11 = new pkcs11js.PKCS11();
    try {
      pkcs11.load(this.settings.modulePath);
    } catch (error) {
      throw new HsmUnavailableError(`cannot load the PKCS#11 module ${this.settings.modulePath}: ${(error as Error).message}`);
    }
    try {
      pkcs11.C_Initialize({ flags: pkcs11js.CKF_OS_LOCKING_OK });
    } catch (error) {
      if (!(error instanceof pkcs11js.Pkcs11Error && error.code === pkcs11js.CKR_CRYPTOKI_ALREADY_INITIALIZED)) throw error;
    }
    this.pkcs11 = pkcs11;
    this.slot = this.findSlot();
    this.anchor = pkcs11.C_OpenSession(this.slot, pkcs11js.CKF_SERIAL_SESSION | pkcs11js.CKF_RW_SESSION);
    try {
      pkcs11.C_Login(this.anchor, pkcs11js.CKU_USER, this.settings.pin);
    } catch (error) {
      if (error instanceof pkcs11js.Pkcs11Error && error.code === pkcs11js.CKR_USER_ALREADY_LOGGED_IN) return;
      const reason = error instanceof pkcs11js.Pkcs11Error && error.code === pkcs11js.CKR_PIN_INCORRECT ? 'the PIN is wrong' : (error as Error).message;
      this.close();
      throw new HsmUnavailableError(`cannot log in to token ${this.settings.tokenLabel}: ${reason}`);
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

  /** Token presence and the private keys on it; throws when the token is gone. */
  status(): HsmStatus {
    const pkcs11 = this.required();
    const slot = this.slot as pkcs11js.Handle;
    const anchor = this.anchor as pkcs11js.Handle;
    const token = pkcs11.C_GetTokenInfo(slot);
    pkcs11.C_FindObjectsInit(anchor, [{ type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_PRIVATE_KEY }]);
    const keys: HsmKey[] = [];
    try {
      for (let handle = pkcs11.C_FindObjects(anchor); handle; handle = pkcs11.C_FindObjects(anchor)) {
        const attributes = pkcs11.C_GetAttributeValue(anchor, handle, [{ type: pkcs11js.CKA_LABEL }, { type: pkcs11js.CKA_ID }]);
        keys.push({
          label: (attributes[0]?.value as Buffer | undefined)?.toString('utf8') ?? '',
          idHex: (attributes[1]?.value as Buffer | undefined)?.toString('hex') ?? '',
        });
      }
    } finally {
      pkcs11.C_FindObjectsFinal(anchor);
    }
    return { tokenLabel: token.label.trim(), slot: slot.toString('hex'), model: token.model.trim(), keys };
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
  }
}
