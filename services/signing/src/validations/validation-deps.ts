import type { Pool } from '@vanthu/platform';
import { DocumentsClient } from '../clients/documents-client';
import type { Caller } from '../signatures/signing-deps';
import type { SigningConfig } from '../config';
import { isSelfIssued, loadCertificates } from '../x509/certificate';
import { IsolatedValidator } from '../validation/isolated-validator';
import { loadPinnedCertificates, readPins } from '../validation/pinned-trust';
import type { TrustStore } from '../validation/trust-store';
import type { ValidationOptions } from '../validation/validate-pdf';

/** What the validation use cases need, built once at start-up. */
export type ValidationDeps = {
  pool: Pool;
  documents: DocumentsClient;
  validator: IsolatedValidator;
  trust: TrustStore;
  defaults: Omit<ValidationOptions, 'trust' | 'validationTime'>;
  maxFileBytes: number;
  cacheSeconds: number;
  fontPath: string;
  topicPrefix: string;
  source: string;
  /** Signs this service's own identity for calls to documents with no user behind them. */
  serviceIdentity?: (agencyCode: string) => string;
};

/**
 * The second argument of the validation use cases, `verbNoun(input, ctx)`: who asks (their identity assertion is
 * forwarded unchanged when a stored version is fetched from documents) and the validation dependencies.
 */
export type ValidationContext = Caller & { validation: ValidationDeps };

const loadPem = loadCertificates;

/** The configured trust store: explicit files first, else the signing service's own trust configuration. */
export function trustStoreFrom(config: SigningConfig): TrustStore {
  const all = loadPem(config.TRUST_CERTS_FILE);
  const anchors = config.VALIDATION_TRUST_ANCHORS_FILE
    ? loadPem(config.VALIDATION_TRUST_ANCHORS_FILE)
    : config.TRUST_ROOTS_FILE
      ? loadPem(config.TRUST_ROOTS_FILE)
      : all.filter(isSelfIssued);
  const intermediates = config.VALIDATION_INTERMEDIATES_FILE
    ? loadPem(config.VALIDATION_INTERMEDIATES_FILE)
    : all.filter((c) => !isSelfIssued(c));
  // The VGCA hierarchy (shipped, then operator-supplied) is trusted only where it matches a pin.
  const dirs = [config.VALIDATION_VGCA_SHIPPED_DIR, config.VALIDATION_VGCA_DIR].filter((d) => d !== '' && d !== 'none');
  if (dirs.length === 0) return { anchors, intermediates };
  const pins = readPins(config.VALIDATION_TRUST_PINS_FILE);
  const store: TrustStore = { anchors, intermediates };
  for (const dir of dirs) {
    const pinned = loadPinnedCertificates(dir, pins);
    const known = new Set([...store.anchors, ...store.intermediates].map((c) => c.sha256));
    store.anchors = [...store.anchors, ...pinned.anchors.filter((c) => !known.has(c.sha256))];
    store.intermediates = [...store.intermediates, ...pinned.intermediates.filter((c) => !known.has(c.sha256))];
  }
  return store;
}

export function createValidationDeps(
  config: SigningConfig,
  pool: Pool,
  serviceIdentity?: (agencyCode: string) => string,
): ValidationDeps {
  const sha1 = config.VALIDATION_SHA1_ACCEPTED_UNTIL ? new Date(config.VALIDATION_SHA1_ACCEPTED_UNTIL) : null;
  if (sha1 && Number.isNaN(sha1.getTime())) throw new Error('VALIDATION_SHA1_ACCEPTED_UNTIL is not an ISO date');
  return {
    pool,
    documents: new DocumentsClient(config.DOCUMENTS_URL),
    validator: new IsolatedValidator({
      workers: config.VALIDATION_WORKERS,
      parseTimeoutMs: config.VALIDATION_PARSE_TIMEOUT_MS,
      networkTimeoutMs: 3 * config.REVOCATION_TIMEOUT_MS,
      maxHeapMb: config.VALIDATION_MAX_HEAP_MB,
    }),
    trust: trustStoreFrom(config),
    defaults: {
      revocation: {
        mode: config.VALIDATION_REVOCATION,
        timeoutMs: config.REVOCATION_TIMEOUT_MS,
        cacheSeconds: config.VALIDATION_REVOCATION_CACHE_SECONDS,
      },
      modificationPolicy: config.VALIDATION_MODIFICATION_POLICY,
      sha1AcceptedUntil: sha1,
    },
    maxFileBytes: config.VALIDATION_MAX_FILE_BYTES,
    cacheSeconds: config.VALIDATION_CACHE_SECONDS,
    fontPath: config.APPEARANCE_FONT_PATH,
    topicPrefix: config.KAFKA_TOPIC_PREFIX,
    source: '/vanthu/signing',
    ...(serviceIdentity ? { serviceIdentity } : {}),
  };
}
