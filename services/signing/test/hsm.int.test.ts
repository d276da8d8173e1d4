import { HsmConnection, HsmUnavailableError, readPin } from '../src/hsm/hsm-connection';
import { loadInfrastructure } from '../../../test/support/infrastructure';

const { hsm } = loadInfrastructure();

describe('HSM connection (SoftHSM2 through PKCS#11)', () => {
  it('opens the token and lists the organisation seal keys', () => {
    const connection = new HsmConnection({
      modulePath: hsm.modulePath,
      tokenLabel: hsm.tokenLabel,
      pin: readPin(hsm.pinFile),
    });
    connection.open();
    try {
      const status = connection.status();
      expect(status.tokenLabel).toBe(hsm.tokenLabel);
      // The bootstrap seals; keys generated through POST /v1/signing-keys may sit beside them in the shared token.
      expect(status.keys.map((k) => k.label)).toEqual(expect.arrayContaining(hsm.seals.map((s) => s.keyLabel)));
      expect(status.keys.map((k) => k.idHex)).toEqual(
        expect.arrayContaining(hsm.seals.map((s) => s.keyIdHex.toLowerCase())),
      );
    } finally {
      connection.close();
    }
  });

  it('refuses a wrong PIN, a missing token and a missing module with a clear reason', () => {
    const wrongPin = new HsmConnection({ modulePath: hsm.modulePath, tokenLabel: hsm.tokenLabel, pin: '00000000' });
    expect(() => wrongPin.open()).toThrow(
      new HsmUnavailableError(`cannot log in to token ${hsm.tokenLabel}: the PIN is wrong`),
    );
    const noToken = new HsmConnection({ modulePath: hsm.modulePath, tokenLabel: 'no-such-token', pin: '1' });
    expect(() => noToken.open()).toThrow(/no token labelled no-such-token/);
    noToken.close();
    const noModule = new HsmConnection({
      modulePath: '/nonexistent/libpkcs11.so',
      tokenLabel: hsm.tokenLabel,
      pin: '1',
    });
    expect(() => noModule.open()).toThrow(/cannot load the PKCS#11 module/);
  });
});
