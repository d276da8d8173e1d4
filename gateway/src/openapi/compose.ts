import { isDeepStrictEqual } from 'node:util';
import type { FastifyBaseLogger } from 'fastify';
import type { Upstream } from '../proxy/upstreams';
import { prepareDocument } from './prepared-document';
import type { PreparedDocument } from './prepared-document';

export type OpenApiDocument = {
  openapi?: string;
  info?: unknown;
  paths?: Record<string, unknown>;
  components?: { schemas?: Record<string, unknown>; securitySchemes?: Record<string, unknown> };
};

const gatewayPaths = {
  '/health': {
    get: {
      operationId: 'getHealth',
      tags: ['operations'],
      summary: 'Aggregated health of every service, PostgreSQL, Kafka and the HSM',
      security: [],
      responses: {
        '200': {
          description: 'All components up',
          content: { 'application/json': { schema: { $ref: '#/components/schemas/Health' } } },
        },
        '503': {
          description: 'At least one component down',
          content: { 'application/json': { schema: { $ref: '#/components/schemas/Health' } } },
        },
      },
    },
  },
  '/asyncapi.json': {
    get: {
      operationId: 'getAsyncApi',
      tags: ['operations'],
      summary: 'AsyncAPI 3.0 document of the events',
      security: [],
      responses: {
        '200': { description: 'AsyncAPI document', content: { 'application/json': { schema: { type: 'object' } } } },
      },
    },
  },
};

// The aggregated health the gateway answers on /health (gateway/src/health/aggregate-health.ts, AggregatedHealth).
const upOrDown = { type: 'string', enum: ['up', 'down'] };
const healthSchema = {
  type: 'object',
  required: ['status', 'services', 'components'],
  properties: {
    status: { type: 'string', enum: ['ok', 'degraded', 'unavailable'] },
    services: {
      type: 'object',
      description: 'Per service: its readiness and the checks it reported',
      additionalProperties: {
        type: 'object',
        required: ['status'],
        properties: {
          status: upOrDown,
          checks: { type: 'object', additionalProperties: true },
          error: { type: 'string', description: 'Why the service could not be asked' },
        },
      },
    },
    components: {
      type: 'object',
      description: 'Per shared component (postgres, kafka, hsm, …): down when any service reports it down',
      additionalProperties: {
        type: 'object',
        required: ['status', 'reportedBy'],
        properties: { status: upOrDown, reportedBy: { type: 'array', items: { type: 'string' } } },
      },
    },
  },
};

/**
 * What each tag of the published document groups, in reading order (the reference page lists them so). Every tag an
 * operation carries must be here: `npm run lint:api` fails on an operation whose tag is not described.
 */
const tags = [
  { name: 'documents', description: 'Uploading documents and their immutable versions, reading them and their bytes.' },
  { name: 'search', description: 'Searching the agency’s documents, and saved searches.' },
  {
    name: 'registers',
    description: 'Registers (sổ đăng ký văn bản đi/đến), registration with a yearly number, issuing and recall.',
  },
  { name: 'dossiers', description: 'Dossiers (hồ sơ công việc) of the yearly Danh mục hồ sơ and their export.' },
  { name: 'copies', description: 'Numbered copies (sao y, trích sao, sao lục) and digitised paper copies.' },
  {
    name: 'organisations',
    description: 'The directory of organisations (mã định danh), units and people, and the document-type catalogue.',
  },
  {
    name: 'signing',
    description: 'Organisation seals applied in the HSM, two-step signing with a personal token, long-term extension.',
  },
  { name: 'certificates', description: 'Personal signing certificates: registration, activation, history.' },
  { name: 'validation', description: 'Validation of the signatures of a PDF or of a stored version (ETSI reports).' },
  { name: 'calendars', description: 'The agency’s working calendar, which every deadline is counted in.' },
  {
    name: 'certificate gating',
    description: 'From which date electronic work goes only to people with an activated certificate, and exceptions.',
  },
  { name: 'delegations', description: 'Delegations and absences: who receives a person’s tasks for a period.' },
  { name: 'submissions', description: 'The agency’s rules for dossiers sent up to a higher level (hồ sơ trình).' },
  { name: 'workflows', description: 'Process definitions per agency, versioned, and the shipped defaults.' },
  {
    name: 'processes',
    description: 'The outgoing and incoming processes of a document and their hash-chained history.',
  },
  { name: 'tasks', description: 'The inbox: claiming, completing and returning the steps of a process.' },
  { name: 'consultations', description: 'Consultations (lấy ý kiến) on a document: members, answers, closure.' },
  {
    name: 'incidents',
    description: 'Incident mode (sự cố): paper issue while the system fails, the digitised copy after it.',
  },
  { name: 'reports', description: 'Compliance and processing reports of an agency and of the province.' },
  { name: 'exchange', description: 'Documents and statuses exchanged with other agencies through the hub (edXML).' },
  { name: 'webhooks', description: 'Integrators’ endpoints for the agency’s events, their deliveries and replays.' },
  { name: 'operations', description: 'Health of the platform and the published documents.' },
];

/**
 * Error responses are sent as `application/problem+json` (RFC 9457 §3), but a TypeBox route schema can only say
 * "JSON": every response whose schema is the Problem is declared under the media type we actually send.
 */
function declareProblemMediaType(paths: Record<string, unknown>): void {
  for (const item of Object.values(paths) as Record<
    string,
    { responses?: Record<string, { content?: Record<string, unknown> }> }
  >[]) {
    for (const operation of Object.values(item)) {
      for (const response of Object.values(operation?.responses ?? {})) {
        const json = response.content?.['application/json'] as { schema?: { $ref?: string } } | undefined;
        if (
          response.content &&
          json?.schema?.$ref?.endsWith('/Problem') &&
          Object.keys(response.content).length === 1
        ) {
          response.content = { 'application/problem+json': json };
        }
      }
    }
  }
}

const retryAfter = {
  'Retry-After': { description: 'Seconds to wait before retrying', schema: { type: 'integer', minimum: 0 } },
};
const gatewayProblem = (description: string): Record<string, unknown> => ({
  description,
  headers: retryAfter,
  content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
  // Answered by the gateway in front of every operation, not by the service: the contract tier proves these once
  // for the gateway (gateway.http.test.ts), not once per operation.
  'x-vanthu-answered-by': 'gateway',
});
const rateLimited = gatewayProblem(
  'Too many requests from this caller (code RATE_LIMITED): the per-caller budget per minute is spent; retry after Retry-After',
);
const serviceDown = gatewayProblem(
  'The service behind this operation is down or restarting (code SERVICE_UNAVAILABLE); retry after Retry-After',
);

/**
 * Every /v1 operation can be answered 429 by the gateway's per-caller rate limit and 503 while the service behind it
 * is down (the supervisor restarts it): declared on each operation so that a generated client and an integrator's
 * retry logic see them. An operation that declares its own 503 (the HSM offline) keeps its description, and gains
 * the Retry-After header the gateway's answer carries.
 */
function declareGatewayResponses(paths: Record<string, unknown>): void {
  for (const [path, item] of Object.entries(paths) as [string, Record<string, unknown>][]) {
    if (!path.startsWith('/v1/')) continue;
    for (const [method, operation] of Object.entries(item)) {
      if (method.startsWith('x-')) continue;
      const responses = (operation as { responses?: Record<string, Record<string, unknown>> }).responses;
      if (!responses) continue;
      responses['429'] ??= rateLimited;
      const own = responses['503'];
      if (own) own.headers ??= retryAfter;
      else responses['503'] = serviceDown;
    }
  }
}

/**
 * Builds one OpenAPI 3.1 document from the services' own documents (each generated from its
 * TypeBox route schemas), so the published contract is exactly what the services validate.
 * A component name two services define differently is qualified with the service name.
 */
export class OpenApiComposer {
  /** Updated in place on refresh, so holders of the reference (the docs page) always see the latest. */
  readonly live: OpenApiDocument & Record<string, unknown> = {};
  /** The composed document as JSON text with its ETag and gzip copy, made once per refresh (not per request). */
  private prepared: PreparedDocument | undefined;
  private lastFetch = 0;
  private refreshing: Promise<void> | undefined;

  constructor(
    private readonly services: Upstream[],
    private readonly version: string,
    private readonly logger: FastifyBaseLogger,
    private readonly maxAgeMs = 30_000,
  ) {}

  /**
   * The composed document as JSON text (services that did not answer are listed in `x-missing-services`). A stale copy is served while one refresh runs in the background, so a
   * burst of readers neither waits for the services nor re-fetches their documents once each.
   */
  async serialized(): Promise<string> {
    return (await this.document()).text;
  }

  /** The same, prepared for serving (ETag, gzip). */
  async document(): Promise<PreparedDocument> {
    if (this.prepared === undefined) await this.refreshOnce();
    else if (Date.now() - this.lastFetch > this.maxAgeMs) void this.refreshOnce();
    return this.prepared as PreparedDocument;
  }

  private refreshOnce(): Promise<void> {
    this.refreshing ??= this.refresh().finally(() => (this.refreshing = undefined));
    return this.refreshing;
  }

  async refresh(): Promise<void> {
    const documents = await Promise.all(
      this.services.map(async (service) => {
        try {
          const response = await fetch(`${service.url}/openapi.json`, { signal: AbortSignal.timeout(3_000) });
          if (!response.ok) throw new Error(`HTTP ${response.status}`);
          return { service: service.service, document: (await response.json()) as OpenApiDocument };
        } catch (error) {
          this.logger.warn({ err: error, service: service.service }, 'could not fetch the service OpenAPI document');
          return { service: service.service, document: undefined };
        }
      }),
    );
    const composed = composeOpenApi(documents, this.version);
    const text = JSON.stringify(composed);
    if (text !== this.prepared?.text) this.prepared = prepareDocument(text);
    for (const key of Object.keys(this.live)) delete this.live[key];
    Object.assign(this.live, composed);
    this.lastFetch = Date.now();
  }
}

/**
 * Merges the services' OpenAPI documents into the public one. Pure, so the committed copy in
 * docs/ is produced by exactly the code the gateway runs.
 */
export function composeOpenApi(
  documents: { service: string; document: OpenApiDocument | undefined }[],
  version: string,
): OpenApiDocument & { 'x-missing-services'?: string[] } {
  const paths: Record<string, unknown> = { ...gatewayPaths };
  const schemas: Record<string, unknown> = {};
  const missing: string[] = [];
  for (const { service, document } of documents) {
    if (!document) {
      missing.push(service);
      continue;
    }
    let text = JSON.stringify({ paths: document.paths ?? {}, schemas: document.components?.schemas ?? {} });
    for (const [name, schema] of Object.entries(document.components?.schemas ?? {})) {
      if (schemas[name] !== undefined && !isDeepStrictEqual(schemas[name], schema)) {
        text = text.split(`"#/components/schemas/${name}"`).join(`"#/components/schemas/${service}.${name}"`);
      }
    }
    const renamed = JSON.parse(text) as { paths: Record<string, unknown>; schemas: Record<string, unknown> };
    for (const [name, schema] of Object.entries(document.components?.schemas ?? {})) {
      const target =
        schemas[name] !== undefined && !isDeepStrictEqual(schemas[name], schema) ? `${service}.${name}` : name;
      schemas[target] = renamed.schemas[name];
    }
    for (const [path, item] of Object.entries(renamed.paths)) {
      if (path.startsWith('/v1/')) paths[path] = { ...(item as object), 'x-vanthu-service': service };
    }
  }
  declareProblemMediaType(paths);
  declareGatewayResponses(paths);
  schemas.Health ??= healthSchema;
  const result: OpenApiDocument & {
    'x-missing-services'?: string[];
    servers: unknown;
    security: unknown;
    tags: unknown;
  } = {
    openapi: '3.1.0',
    info: {
      title: 'vanthu API',
      version,
      license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
      description:
        'Headless platform for electronic documents of Vietnamese public agencies (NĐ 30/2020/NĐ-CP). Every /v1 call needs a bearer JWT from a trusted issuer; errors are RFC 9457 problem+json with a stable code.',
    },
    servers: [{ url: '/' }],
    security: [{ bearerAuth: [] }],
    tags,
    paths,
    components: { schemas, securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } } },
  };
  if (missing.length > 0) result['x-missing-services'] = missing;
  return result;
}
