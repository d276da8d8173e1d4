import path from 'node:path';
import { Type } from '@sinclair/typebox';
import type { Static } from '@sinclair/typebox';
import { serviceConfigProperties } from '@vanthu/platform';

export const signingConfigSchema = Type.Object({
  ...serviceConfigProperties,
  PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 3102 }),
  HSM_MODULE_PATH: Type.String({
    minLength: 1,
    description: 'PKCS#11 module (SoftHSM2 here, any PKCS#11 module in production)',
  }),
  HSM_TOKEN_LABEL: Type.String({ minLength: 1 }),
  HSM_PIN_FILE: Type.String({
    minLength: 1,
    description: 'File holding the user PIN; the PIN never goes into the environment',
  }),
  HSM_POOL_SIZE: Type.Integer({
    minimum: 1,
    maximum: 256,
    default: 4,
    description: 'PKCS#11 sessions kept open for concurrent signing',
  }),
  HSM_SEALS: Type.String({
    default: '[]',
    description:
      'JSON array of organisation seals: [{"agencyCode","keyIdHex","certPath","scheme"?:"rsa-pkcs1"|"rsa-pss"|"ecdsa"}]',
  }),
  DOCUMENTS_URL: Type.String({
    minLength: 1,
    default: 'http://127.0.0.1:3101',
    description: 'The documents service (not the gateway)',
  }),
  TSA_URLS: Type.String({ default: '', description: 'Comma-separated RFC 3161 TSAs, tried in order' }),
  TSA_TIMEOUT_MS: Type.Integer({ minimum: 100, default: 10_000 }),
  REVOCATION_TIMEOUT_MS: Type.Integer({ minimum: 100, default: 5_000 }),
  TRUST_CERTS_FILE: Type.String({
    default: '',
    description: 'PEM file of CA certificates (roots and intermediates) used to complete chains and check certificates',
  }),
  TRUST_ROOTS_FILE: Type.String({
    default: '',
    description: 'PEM file of trusted root certificates; defaults to the self-signed ones in TRUST_CERTS_FILE',
  }),
  SIGNING_SESSION_TTL_SECONDS: Type.Integer({
    minimum: 10,
    default: 300,
    description:
      'How long a prepared two-step signing session waits (NĐ 30 practice, docs/domain/requirements.md section 7, item 28: 5 minutes)',
  }),
  CERTIFICATE_CHECK_INTERVAL_SECONDS: Type.Integer({
    minimum: 0,
    default: 3600,
    description:
      'How often registered and active certificates are checked for expiry and revocation (suspended when either); 0 turns the periodic check off',
  }),
  SIGNATURE_HASH: Type.Union([Type.Literal('sha256'), Type.Literal('sha384'), Type.Literal('sha512')], {
    default: 'sha256',
  }),
  // NĐ 30 Phụ lục I asks for Times New Roman; Liberation Serif 2 (fonts-liberation2) has Times'
  // metrics and every Vietnamese letter (Liberation 1.07 in fonts-liberation has neither ơ nor ư).
  APPEARANCE_FONT_PATH: Type.String({
    default: '/usr/share/fonts/truetype/liberation2/LiberationSerif-Regular.ttf',
    description: 'Serif TrueType font covering Vietnamese (Times New Roman in production)',
  }),
  VALIDATION_VGCA_SHIPPED_DIR: Type.String({
    default: path.resolve(__dirname, '..', 'trust', 'vgca'),
    description:
      'VGCA CA certificates shipped with vanthu (public, pin-checked like VALIDATION_VGCA_DIR); "none" to trust none of them',
  }),
  VALIDATION_VGCA_DIR: Type.String({
    default: '',
    description:
      'Directory of VGCA CA certificates downloaded from ca.gov.vn; each is trusted only if its fingerprint matches VALIDATION_TRUST_PINS_FILE',
  }),
  VALIDATION_TRUST_PINS_FILE: Type.String({
    default: path.resolve(__dirname, '..', 'trust', 'vgca-pins.json'),
    description: 'Pinned fingerprints of the certificates VALIDATION_VGCA_DIR may hold',
  }),
  VALIDATION_TRUST_ANCHORS_FILE: Type.String({
    default: '',
    description:
      'PEM file of trust anchors for validation (VGCA roots in production, the test PKI root in development); defaults to TRUST_ROOTS_FILE, then the self-signed certificates of TRUST_CERTS_FILE',
  }),
  VALIDATION_INTERMEDIATES_FILE: Type.String({
    default: '',
    description:
      'PEM file of intermediate CAs supplied to complete chains (VGCA CMS often embeds only the leaf); defaults to the non-root certificates of TRUST_CERTS_FILE',
  }),
  VALIDATION_REVOCATION: Type.Union([Type.Literal('online'), Type.Literal('offline')], {
    default: 'online',
    description: 'Default revocation mode; a request may ask for the other',
  }),
  VALIDATION_REVOCATION_CACHE_SECONDS: Type.Integer({
    minimum: 0,
    default: 300,
    description: 'How long an online OCSP/CRL answer is reused',
  }),
  VALIDATION_MODIFICATION_POLICY: Type.Union([Type.Literal('indeterminate'), Type.Literal('failed')], {
    default: 'indeterminate',
    description: 'What a change after signing that no allowed class justifies does to the signature',
  }),
  VALIDATION_SHA1_ACCEPTED_UNTIL: Type.String({
    default: '',
    description:
      'ISO date: SHA-1 signatures pass only with a time-stamp before it; empty refuses SHA-1 (CRYPTO_CONSTRAINTS_FAILURE_NO_POE)',
  }),
  VALIDATION_WORKERS: Type.Integer({
    minimum: 1,
    maximum: 64,
    default: 2,
    description: 'Worker threads that parse and validate PDFs in isolation',
  }),
  VALIDATION_PARSE_TIMEOUT_MS: Type.Integer({
    minimum: 100,
    default: 5_000,
    description: 'A file not read within this time ends as FORMAT_FAILURE',
  }),
  VALIDATION_MAX_HEAP_MB: Type.Integer({
    minimum: 32,
    default: 512,
    description: 'Heap limit of one validation worker',
  }),
  VALIDATION_MAX_FILE_BYTES: Type.Integer({ minimum: 1024, default: 100 * 1024 * 1024 }),
  VALIDATION_CACHE_SECONDS: Type.Integer({
    minimum: 0,
    default: 3_600,
    description: 'How long a stored report of the same bytes is served again',
  }),
  APPEARANCE_ANCHORS: Type.String({
    default: '{}',
    description:
      'JSON per-agency anchors for initials: {"<agencyCode>|*": {"endOfContent": ["./."], "recipients": ["Nơi nhận"]}}',
  }),
});
export type SigningConfig = Static<typeof signingConfigSchema>;

export const migrationsDir = path.resolve(__dirname, '..', 'migrations');
export const serviceVersion = '0.2.0';
