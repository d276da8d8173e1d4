import { Type } from '@sinclair/typebox';
import type { Static } from '@sinclair/typebox';

export const IssuerConfigSchema = Type.Object(
  {
    issuer: Type.String({ minLength: 1 }),
    publicKeyFile: Type.Optional(Type.String({ minLength: 1 })),
    publicKeyPem: Type.Optional(Type.String({ minLength: 1 })),
    jwksUrl: Type.Optional(Type.String({ pattern: '^https?://' })),
    audience: Type.Optional(Type.String()),
  },
  { additionalProperties: false },
);
export type IssuerConfig = Static<typeof IssuerConfigSchema>;

/** One URL per replica of a service, comma-separated; the gateway balances over the live ones. */
const replicaUrls = '^https?://[^,\\s]+(,https?://[^,\\s]+)*$';

export const gatewayConfigSchema = Type.Object({
  HOST: Type.String({ default: '127.0.0.1' }),
  PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 3000 }),
  DOCUMENTS_URL: Type.String({ pattern: replicaUrls, default: 'http://127.0.0.1:3101' }),
  SIGNING_URL: Type.String({ pattern: replicaUrls, default: 'http://127.0.0.1:3102' }),
  ROUTING_URL: Type.String({ pattern: replicaUrls, default: 'http://127.0.0.1:3103' }),
  REPORTING_URL: Type.String({ pattern: replicaUrls, default: 'http://127.0.0.1:3104' }),
  EXCHANGE_URL: Type.String({ pattern: replicaUrls, default: 'http://127.0.0.1:3105' }),
  NOTIFICATIONS_URL: Type.String({ pattern: replicaUrls, default: 'http://127.0.0.1:3106' }),
  /** JSON array of trusted issuers: [{ issuer, publicKeyFile | publicKeyPem | jwksUrl, audience? }]. */
  JWT_ISSUERS: Type.String({
    minLength: 2,
    description: 'JSON array of trusted token issuers (the issuer allow-list)',
  }),
  IDENTITY_PRIVATE_KEY_FILE: Type.String({
    minLength: 1,
    description: 'ES256 key that signs identity assertions for services',
  }),
  REQUEST_PROOF_MASTER_KEY_FILE: Type.Optional(
    Type.String({
      minLength: 1,
      description:
        'Master secret (hex) of the request proofs: each proxied request carries an HMAC made for that request under the key of the service it goes to (required in production)',
    }),
  ),
  MAX_UPLOAD_BYTES: Type.Integer({ minimum: 1024, default: 100 * 1024 * 1024 }),
  HEADERS_TIMEOUT_MS: Type.Integer({
    minimum: 100,
    default: 20_000,
    description: 'A request whose headers have not all arrived by then is answered 408 and its connection closed',
  }),
  REQUEST_TIMEOUT_MS: Type.Integer({
    minimum: 100,
    default: 600_000,
    description:
      'A request (headers and body) not received in full by then is answered 408 and closed; long enough for the largest upload on a slow line',
  }),
  RATE_LIMIT_PER_MINUTE: Type.Integer({ minimum: 1, default: 600 }),
  LOG_LEVEL: Type.String({ default: 'info' }),
});
export type GatewayConfig = Static<typeof gatewayConfigSchema>;

export function parseIssuers(json: string): IssuerConfig[] {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    throw new Error('JWT_ISSUERS must be a JSON array');
  }
  if (!Array.isArray(value) || value.length === 0) throw new Error('JWT_ISSUERS must be a non-empty JSON array');
  return value.map((entry, index) => {
    const issuer = entry as IssuerConfig;
    const sources = [issuer.publicKeyFile, issuer.publicKeyPem, issuer.jwksUrl].filter((s) => s !== undefined);
    if (typeof issuer.issuer !== 'string' || sources.length !== 1) {
      throw new Error(`JWT_ISSUERS[${index}] needs an issuer and exactly one of publicKeyFile, publicKeyPem, jwksUrl`);
    }
    return issuer;
  });
}

export const gatewayVersion = '0.1.0';
