import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { pemToDers, toCert } from '../x509/certificate';
import type { TrustStore } from './trust-store';

export type TrustPin = { name: string; role: 'anchor' | 'intermediate'; sha256?: string; sha1?: string };

export function readPins(file: string): TrustPin[] {
  const parsed = JSON.parse(fs.readFileSync(file, 'utf8')) as { pins?: TrustPin[] };
  const pins = parsed.pins ?? [];
  for (const pin of pins) {
    if (!pin.sha256 && !pin.sha1) throw new Error(`${file}: pin ${pin.name} has no fingerprint`);
  }
  return pins;
}

/**
 * Loads operator-supplied CA certificates (the VGCA roots and sub-CAs downloaded from
 * ca.gov.vn) and trusts each only when its fingerprint matches a shipped pin: a file swapped on
 * disk, or a certificate nobody pinned, stops the service at start instead of being trusted.
 */
export function loadPinnedCertificates(dir: string, pins: TrustPin[]): TrustStore {
  const store: TrustStore = { anchors: [], intermediates: [] };
  for (const name of fs.readdirSync(dir).sort()) {
    if (!/\.(crt|cer|pem|der)$/i.test(name)) continue;
    const file = path.join(dir, name);
    const bytes = fs.readFileSync(file);
    const ders = bytes.includes('-----BEGIN CERTIFICATE-----') ? pemToDers(bytes.toString('utf8')) : [bytes];
    for (const der of ders) {
      const cert = toCert(der);
      const sha1 = createHash('sha1').update(der).digest('hex');
      const pin = pins.find((p) => p.sha256?.toLowerCase() === cert.sha256 || p.sha1?.toLowerCase() === sha1);
      if (!pin) {
        throw new Error(
          `${file}: certificate "${cert.x509.subject.replace(/\n/g, ', ')}" (SHA-256 ${cert.sha256}) matches no pinned certificate; refusing to trust it`,
        );
      }
      (pin.role === 'anchor' ? store.anchors : store.intermediates).push(cert);
    }
  }
  return store;
}
