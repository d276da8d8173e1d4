import fs from 'node:fs';
import { createPublicKey, verify } from 'node:crypto';
import * as pkcs11js from 'pkcs11js';
import { HsmConnection, HsmUnavailableError, readPin } from '../src/hsm/hsm-connection';
import { toSigningError } from '../src/signatures/map-signing-errors';
import { AppError } from '@vanthu/platform';
import { infra } from './support';

const { hsm } = infra;
const seal = hsm.seals[0] as { keyIdHex: string; certPath: string };
const publicKey = createPublicKey(fs.readFileSync(seal.certPath));

describe('HSM session pool (SoftHSM2 through PKCS#11)', () => {
  let connection: HsmConnection;
  beforeEach(() => {
    connection = new HsmConnection({
      modulePath: hsm.modulePath,
      tokenLabel: hsm.tokenLabel,
      pin: readPin(hsm.pinFile),
      poolSize: 4,
    });
    connection.open();
  });
  afterEach(() => connection.close());

  it('signs 64 concurrent requests through 4 sessions, every signature verifying with the seal certificate', async () => {
    const inputs = Array.from({ length: 64 }, (_, i) => Buffer.from(`văn bản ${i}`));
    const signatures = await Promise.all(
      inputs.map((data) => connection.sign(seal.keyIdHex, 'rsa-pkcs1', 'sha256', data)),
    );
    signatures.forEach((signature, i) =>
      expect(verify('sha256', inputs[i] as Buffer, publicKey, signature)).toBe(true),
    );
    const status = connection.status();
    expect(status.sessions).toBe(4);
    expect(status.keyUsage[seal.keyIdHex]?.count).toBe(64);
  });

  it('signs with RSA-PSS', async () => {
    const data = Buffer.from('PSS');
    const signature = await connection.sign(seal.keyIdHex, 'rsa-pss', 'sha256', data);
    expect(verify('sha256', data, { key: publicKey, padding: 6, saltLength: 32 }, signature)).toBe(true);
  });

  it('recovers when a pooled session is closed behind its back', async () => {
    // Close every session the pool holds through a second handle on the same module.
    const other = new pkcs11js.PKCS11();
    other.load(hsm.modulePath);
    const slot = other
      .C_GetSlotList(true)
      .find((s) => other.C_GetTokenInfo(s).label.trim() === hsm.tokenLabel) as pkcs11js.Handle;
    other.C_CloseAllSessions(slot);
    const data = Buffer.from('after the sessions were lost');
    const signature = await connection.sign(seal.keyIdHex, 'rsa-pkcs1', 'sha256', data);
    expect(verify('sha256', data, publicKey, signature)).toBe(true);
  });

  it('reopens when the module was finalised (token gone and back), and reports a key that does not exist as unavailable', async () => {
    const other = new pkcs11js.PKCS11();
    other.load(hsm.modulePath);
    other.C_Finalize();
    const data = Buffer.from('after finalize');
    const signature = await connection.sign(seal.keyIdHex, 'rsa-pkcs1', 'sha256', data);
    expect(verify('sha256', data, publicKey, signature)).toBe(true);
    await expect(connection.sign('00ff', 'rsa-pkcs1', 'sha256', data)).rejects.toBeInstanceOf(HsmUnavailableError);
  });
});

describe('HSM failures as problems', () => {
  it('maps an unavailable HSM to 503 with Retry-After, and never puts the PIN in the message', () => {
    const wrong = new HsmConnection({ modulePath: hsm.modulePath, tokenLabel: hsm.tokenLabel, pin: '99999999' });
    let caught: unknown;
    try {
      wrong.open();
      wrong.close();
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(HsmUnavailableError);
    expect((caught as Error).message).not.toContain('99999999');
    const mapped = toSigningError(caught) as AppError;
    expect(mapped).toBeInstanceOf(AppError);
    expect(mapped.status).toBe(503);
    expect(mapped.retryAfterSeconds).toBeGreaterThan(0);
  });
});
