import { createHash } from 'node:crypto';
import type { Identity, Pool } from '@vanthu/platform';
import type { Anchors } from '../appearance/place-appearance';
import { defaultAnchors } from '../appearance/place-appearance';
import type { DocumentsClient, CallerHeaders } from '../clients/documents-client';
import type { HsmConnection } from '../hsm/hsm-connection';
import type { HashName, SignatureScheme } from '../pades/algorithms';
import type { PadesSettings } from '../pades/pades-engine';
import type { Cert } from '../x509/certificate';

export type Seal = {
  agencyCode: string;
  keyIdHex: string;
  certificate: Cert;
  chain: Cert[];
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
  trustRoots: Cert[];
  hash: HashName;
  fontPath: string;
  anchors: (agencyCode: string) => Anchors;
  sessionTtlSeconds: number;
  topicPrefix: string;
  source: string;
  /** The largest edXML message POST /v1/edxml-signatures takes (edxml-signature-routes.ts maxEdxmlBytes by default). */
  maxEdxmlBytes?: number;
  /** Verifies claims other services make with the service key (routing's answer-sheet claims); absent: none accepted. */
  serviceClaims?: (token: string, expected: { audience: string; serviceName: string }) => Record<string, unknown>;
};

export type Caller = { identity: Identity; headers: CallerHeaders; requestId: string };

export const sha256Hex = (b: Buffer): string => createHash('sha256').update(b).digest('hex');
export function parseAnchors(json: string): (agencyCode: string) => Anchors {
  const table = JSON.parse(json) as Record<string, Partial<Anchors>>;
  return (agencyCode) => ({ ...defaultAnchors, ...(table['*'] ?? {}), ...(table[agencyCode] ?? {}) });
}
