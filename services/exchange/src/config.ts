import path from 'node:path';
import { Type } from '@sinclair/typebox';
import type { Static } from '@sinclair/typebox';
import { serviceConfigProperties } from '@vanthu/platform';

export const exchangeConfigSchema = Type.Object({
  ...serviceConfigProperties,
  PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 3105 }),
  CONSUMER_GROUP: Type.String({ default: 'exchange', pattern: '^[A-Za-z0-9._-]+$' }),
  DOCUMENTS_URL: Type.String({ pattern: '^https?://', default: 'http://127.0.0.1:3101' }),
  SIGNING_URL: Type.Optional(
    Type.String({
      pattern: '^https?://',
      description: 'The signing service: every edXML document sent is signed (XML-DSig) with the agency seal there',
    }),
  ),
  TRUST_CERTS_FILE: Type.Optional(
    Type.String({
      minLength: 1,
      description: 'PEM bundle of the CAs whose signers received edXML signatures must chain to',
    }),
  ),
  REQUIRE_SIGNED_MESSAGES: Type.Boolean({
    default: false,
    description:
      'Refuse every received message (document, recall, update, replacement, status) without an XML-DSig signature. Off by default: the public samples of real hubs carry none on statuses (docs/domain/edxml-facts.md)',
  }),
  HUB_URL: Type.Optional(
    Type.String({
      pattern: '^https?://',
      description: 'Base URL of the hub (the national hub, a provincial LGSP, or the hub sandbox)',
    }),
  ),
  HUB_PROTOCOL: Type.Union([Type.Literal('vxp'), Type.Literal('lgsp'), Type.Literal('bkav')], {
    default: 'vxp',
    description:
      'vxp: the VNPT VXP operations (national hub); lgsp: the provincial LGSP REST shape; bkav: the Bkav eDoc API',
  }),
  HUB_BKAV_DIRECTORY_DOMAIN: Type.Optional(
    Type.String({
      minLength: 1,
      description: 'Bkav: the organ whose children getOrganizations lists (the province); the calling agency if unset',
    }),
  ),
  HUB_NAME: Type.String({ default: 'vxp', pattern: '^[a-z0-9-]+$', description: 'Recorded with every exchange' }),
  HUB_CREDENTIALS_FILE: Type.Optional(
    Type.String({
      minLength: 1,
      description: 'JSON file [{agencyCode, systemId, secret}]: each agency’s hub account (the secret never travels)',
    }),
  ),
  HUB_LGSP_LOGIN_FILE: Type.Optional(
    Type.String({
      minLength: 1,
      description:
        'JSON {username, password, applicationCode}: the LGSP integration account whose Bearer token goes with every LGSP call',
    }),
  ),
  HUB_TIMEOUT_MS: Type.Integer({ minimum: 100, default: 15_000 }),
  WORKER_INTERVAL_MS: Type.Integer({ minimum: 50, default: 1_000 }),
  RECEIVE_INTERVAL_MS: Type.Integer({ minimum: 100, default: 60_000 }),
  TSA_URLS: Type.String({
    default: '',
    description: 'Comma-separated RFC 3161 TSAs that time-stamp the exchange log head, tried in order',
  }),
  LOG_ANCHOR_INTERVAL_MS: Type.Integer({ minimum: 1000, default: 3_600_000 }),
  MESSAGE_SWEEP_INTERVAL_MS: Type.Integer({
    minimum: 1000,
    default: 15 * 60_000,
    description: 'How often the worker collects message files no row references (a receipt or send rolled back)',
  }),
  MESSAGE_SWEEP_GRACE_MS: Type.Integer({
    minimum: 60_000,
    default: 60 * 60_000,
    description: 'A message file younger than this is never collected: it may belong to a receipt or send in flight',
  }),
  MESSAGE_DIR: Type.String({
    minLength: 1,
    description: 'Directory of the edXML messages sent and received, one file per message named by its SHA-256',
  }),
  MAX_MESSAGE_BYTES: Type.Integer({ minimum: 1024, default: 64 * 1024 * 1024 }),
});
export type ExchangeConfig = Static<typeof exchangeConfigSchema>;

export const migrationsDir = path.resolve(__dirname, '..', 'migrations');
export const serviceVersion = '0.1.0';
export const eventSource = '/vanthu/exchange';
