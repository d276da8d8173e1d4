import { execFileSync } from 'node:child_process';
import { X509Certificate, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export type SoftToken = { modulePath: string; label: string; pin: string; keyIdHex: string; remove: () => void };

/**
 * A personal "USB token" in the stack's SoftHSM2 (SOFTHSM2_CONF is set by test/support/global-setup.ts): a token of
 * its own, holding one person's key and certificate under the same CKA_ID, as a CA delivers them. `remove` deletes
 * the token; the stack's seal token is never touched.
 */
export function createSoftToken(modulePath: string, keyPath: string, certPath: string): SoftToken {
  const label = `client-test-${randomBytes(4).toString('hex')}`;
  const pin = randomBytes(8).toString('hex');
  const soPin = randomBytes(8).toString('hex');
  const keyIdHex = randomBytes(8).toString('hex');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vanthu-token-'));
  const certDer = path.join(dir, 'cert.der');
  fs.writeFileSync(certDer, new X509Certificate(fs.readFileSync(certPath)).raw);
  const env = { ...process.env };
  const run = (command: string, args: string[]): void => {
    execFileSync(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  };
  try {
    run('softhsm2-util', ['--init-token', '--free', '--label', label, '--so-pin', soPin, '--pin', pin]);
    run('softhsm2-util', ['--import', keyPath, '--token', label, '--label', 'signing', '--id', keyIdHex, '--pin', pin]);
    run('pkcs11-tool', [
      '--module',
      modulePath,
      '--token-label',
      label,
      '--login',
      '--pin',
      pin,
      '--write-object',
      certDer,
      '--type',
      'cert',
      '--id',
      keyIdHex,
      '--label',
      'signing',
    ]);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return {
    modulePath,
    label,
    pin,
    keyIdHex,
    remove: () => run('softhsm2-util', ['--delete-token', '--token', label]),
  };
}
