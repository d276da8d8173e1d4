import fs from 'node:fs';
import type { Pool } from '@vanthu/platform';
import { DocumentsClient } from './clients/documents-client';
import type { SigningConfig } from './config';
import type { Seal, SigningDeps } from './signatures/signing-deps';
import { parseAnchors } from './signatures/signing-deps';
import type { HsmConnection } from './hsm/hsm-connection';
import type { SignatureScheme } from './pades/algorithms';
import { isSelfIssued, loadCertificates } from './x509/certificate';

/** Builds the signing dependencies from configuration; a bad seal entry stops the start-up. */
export function createSigningDeps(config: SigningConfig, pool: Pool, hsm: HsmConnection): SigningDeps {
  const pool_ = loadCertificates(config.TRUST_CERTS_FILE);
  const roots = config.TRUST_ROOTS_FILE ? loadCertificates(config.TRUST_ROOTS_FILE) : pool_.filter(isSelfIssued);
  const seals = new Map<string, Seal>();
  const entries = JSON.parse(config.HSM_SEALS) as {
    agencyCode: string;
    keyIdHex: string;
    certPath: string;
    scheme?: SignatureScheme;
  }[];
  for (const entry of entries) {
    // Checked before reading: readFileSync's ENOENT would not say which HSM_SEALS entry is wrong.
    if (!fs.existsSync(entry.certPath)) throw new Error(`HSM_SEALS: ${entry.certPath} missing`);
    const [certificate, ...chain] = loadCertificates(entry.certPath);
    if (!certificate) throw new Error(`HSM_SEALS: no certificate in ${entry.certPath}`);
    seals.set(entry.agencyCode, {
      agencyCode: entry.agencyCode,
      keyIdHex: entry.keyIdHex.toLowerCase(),
      certificate,
      chain: chain.length ? chain : pool_.filter((c) => !isSelfIssued(c)),
      scheme: entry.scheme ?? 'rsa-pkcs1',
    });
  }
  return {
    pool,
    documents: new DocumentsClient(config.DOCUMENTS_URL),
    hsm,
    seals,
    pades: {
      tsa: {
        urls: config.TSA_URLS.split(',')
          .map((u) => u.trim())
          .filter(Boolean),
        timeoutMs: config.TSA_TIMEOUT_MS,
      },
      certificatePool: pool_,
      revocationTimeoutMs: config.REVOCATION_TIMEOUT_MS,
    },
    trustRoots: roots,
    hash: config.SIGNATURE_HASH,
    fontPath: config.APPEARANCE_FONT_PATH,
    anchors: parseAnchors(config.APPEARANCE_ANCHORS),
    sessionTtlSeconds: config.SIGNING_SESSION_TTL_SECONDS,
    topicPrefix: config.KAFKA_TOPIC_PREFIX,
    source: '/vanthu/signing',
  };
}
