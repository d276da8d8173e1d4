import fs from 'node:fs';
import { createHash } from 'node:crypto';
import type { Identity, Pool } from '@vanthu/platform';
import type * as pkijs from 'pkijs';
import type { Anchors } from '../appearance/place-appearance';
import { defaultAnchors } from '../appearance/place-appearance';
import type { DocumentsClient, CallerHeaders } from '../clients/documents-client';
import type { HsmConnection } from '../hsm/hsm-connection';
import type { HashName, SignatureScheme } from '../pades/algorithms';
import { certificateDer, parseCertificate, pemToDers } from '../pades/cms';
import type { PadesSettings } from '../pades/pades-engine';

export type Seal = {
  agencyCode: string;
  keyIdHex: string;
  certificate: pkijs.Certificate;
  chain: pkijs.Certificate[];
  scheme: SignatureScheme;
};

/** Everything the signing use cases need, built once at start-up. */
export type SigningDeps = {
  pool: Pool;
  documents: DocumentsClient;
  hsm: HsmConnection;
  seals: Map<string, Seal>;
  pades: PadesSettings;
  /** Trusted roots: a personal certificate must chain to one of them. */
  trustRoots: pkijs.Certificate[];
  hash: HashName;
  fontPath: string;
  anchors: (agencyCode: string) => Anchors;
  sessionTtlSeconds: number;
  topicPrefix: string;
  source: string;
  /** Verifies claims other services make with the service key (routing's answer-sheet claims); absent: none accepted. */
  serviceClaims?: (token: string, expected: { audience: string; serviceName: string }) => Record<string, unknown>;
};

export type Caller = { identity: Identity; headers: CallerHeaders; requestId: string };

export const sha256Hex = (b: Buffer): string => createHash('sha256').update(b).digest('hex');
export const certificateSha256 = (c: pkijs.Certificate): string => sha256Hex(certificateDer(c));

export function certificateSubject(c: pkijs.Certificate): string {
  const names: Record<string, string> = {
    '2.5.4.3': 'CN',
    '2.5.4.10': 'O',
    '2.5.4.11': 'OU',
    '2.5.4.6': 'C',
    '2.5.4.8': 'ST',
    '2.5.4.5': 'serialNumber',
    '0.9.2342.19200300.100.1.1': 'UID',
  };
  return c.subject.typesAndValues
    .map((t) => `${names[t.type] ?? t.type}=${String(t.value.valueBlock.value)}`)
    .join(', ');
}
export const commonName = (c: pkijs.Certificate): string =>
  String(c.subject.typesAndValues.find((t) => t.type === '2.5.4.3')?.value.valueBlock.value ?? '');

export function loadCertificates(file: string): pkijs.Certificate[] {
  if (!file) return [];
  return pemToDers(fs.readFileSync(file, 'utf8')).map(parseCertificate);
}

export function parseAnchors(json: string): (agencyCode: string) => Anchors {
  const table = JSON.parse(json) as Record<string, Partial<Anchors>>;
  return (agencyCode) => ({ ...defaultAnchors, ...(table['*'] ?? {}), ...(table[agencyCode] ?? {}) });
}
