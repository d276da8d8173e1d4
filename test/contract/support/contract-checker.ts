import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import type { ClientResponse } from '../../support/gateway-client';

// Checks every response against the published OpenAPI document and records which operation answered
// which status, so the contract tier can prove that it called every operation with each status it documents.

type MediaTypes = Record<string, { schema?: unknown }>;
type Parameter = { in: string; name: string; schema?: { format?: string } };
type Operation = {
  operationId?: string;
  'x-vanthu-roles'?: readonly string[] | 'every-member';
  parameters?: Parameter[];
  responses?: Record<string, { content?: MediaTypes; 'x-vanthu-answered-by'?: string }>;
};
export type OpenApi = { paths: Record<string, Record<string, Operation>> };

const methods = ['get', 'put', 'post', 'patch', 'delete'];
const pointer = (...parts: string[]): string => parts.map((p) => p.replace(/~/g, '~0').replace(/\//g, '~1')).join('/');
const mediaTypeOf = (response: ClientResponse): string =>
  (response.headers.get('content-type') ?? '').split(';')[0]?.trim().toLowerCase() ?? '';

export type OperationRef = { key: string; method: string; path: string };

export class ContractChecker {
  private readonly ajv = new Ajv2020({ strict: false, allErrors: true });
  private readonly templates: { method: string; path: string; pattern: RegExp; params: number }[] = [];
  private readonly seen = new Map<string, Set<number>>();

  constructor(private readonly openapi: OpenApi) {
    addFormats(this.ajv);
    this.ajv.addSchema(openapi as object, 'openapi');
    for (const [path, item] of Object.entries(openapi.paths)) {
      for (const method of Object.keys(item).filter((m) => methods.includes(m))) {
        const source = path.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\\?\{[^}]+\\?\}/g, '[^/]+');
        this.templates.push({
          method,
          path,
          pattern: new RegExp(`^${source}$`),
          params: (path.match(/\{/g) ?? []).length,
        });
      }
    }
    // A literal segment wins over a parameter (/v1/certificates/adoption before /v1/certificates/{id}).
    this.templates.sort((a, b) => a.params - b.params);
  }

  /** Every operation of the document, as `METHOD /path`. */
  operations(): OperationRef[] {
    return this.templates.map(({ method, path }) => ({ key: `${method.toUpperCase()} ${path}`, method, path }));
  }

  /**
   * The statuses the operation's service declares. The gateway's own 429 and 503, declared on every operation
   * (`x-vanthu-answered-by: gateway`), are left out: they do not depend on the operation, and gateway.http.test.ts
   * provokes them once. A response with either is still checked against its declaration.
   */
  declaredStatuses(ref: OperationRef): number[] {
    return Object.entries(this.openapi.paths[ref.path]?.[ref.method]?.responses ?? {})
      .filter(([, response]) => response['x-vanthu-answered-by'] !== 'gateway')
      .map(([status]) => Number(status));
  }

  /** The statuses the gateway answers in front of the operation's service (429, and 503 where the service has none). */
  gatewayStatuses(ref: OperationRef): number[] {
    return Object.entries(this.openapi.paths[ref.path]?.[ref.method]?.responses ?? {})
      .filter(([, response]) => response['x-vanthu-answered-by'] === 'gateway')
      .map(([status]) => Number(status));
  }

  /** True when every path parameter of the operation is a UUID (so a malformed one must answer 400). */
  takesUuids(ref: OperationRef): boolean {
    const params = (this.openapi.paths[ref.path]?.[ref.method]?.parameters ?? []).filter((p) => p.in === 'path');
    return params.length > 0 && params.every((p) => p.schema?.format === 'uuid');
  }

  /** True when the operation declares the Idempotency-Key header. */
  takesIdempotencyKey(ref: OperationRef): boolean {
    return (this.openapi.paths[ref.path]?.[ref.method]?.parameters ?? []).some(
      (p) => p.in === 'header' && p.name.toLowerCase() === 'idempotency-key',
    );
  }

  /** The names of the operation's query parameters. */
  queryParameters(ref: OperationRef): string[] {
    return (this.openapi.paths[ref.path]?.[ref.method]?.parameters ?? [])
      .filter((p) => p.in === 'query')
      .map((p) => p.name);
  }

  /** Who may call the operation (`x-vanthu-roles`): the roles of which the caller must hold one, or every member. */
  declaredRoles(ref: OperationRef): readonly string[] | 'every-member' | undefined {
    return this.openapi.paths[ref.path]?.[ref.method]?.['x-vanthu-roles'];
  }

  /**
   * The read that shows what a write at `url` changes: the GET operation at the same path, else at the nearest
   * parent path (`POST /v1/documents/{id}/issue` → `GET /v1/documents/{id}`), as a concrete URL; none when no GET
   * lies on the way up.
   */
  readOf(url: string): string | undefined {
    const segments = (url.split('?')[0] ?? url).split('/');
    for (let end = segments.length; end > 2; end -= 1) {
      const candidate = segments.slice(0, end).join('/');
      if (this.templates.some((t) => t.method === 'get' && t.pattern.test(candidate))) return candidate;
    }
    return undefined;
  }

  statusesSeen(ref: OperationRef): number[] {
    return [...(this.seen.get(ref.key) ?? [])].sort((a, b) => a - b);
  }

  /** The operation a request reaches, by method and concrete URL. */
  resolve(method: string, url: string): OperationRef {
    const path = url.split('?')[0] ?? url;
    const lower = method.toLowerCase();
    const found = this.templates.find((t) => t.method === lower && t.pattern.test(path));
    if (!found) throw new Error(`${method} ${path} is not an operation of the OpenAPI document`);
    return { key: `${lower.toUpperCase()} ${found.path}`, method: lower, path: found.path };
  }

  /**
   * Fails unless the status is declared for the operation, the media type is one the declaration lists
   * (or the body is empty where none is listed), and a JSON body matches its declared schema.
   */
  check(method: string, url: string, response: ClientResponse): ClientResponse {
    const ref = this.resolve(method, url);
    const declared = this.openapi.paths[ref.path]?.[ref.method]?.responses?.[String(response.status)];
    if (!declared)
      throw new Error(`${ref.key} answered ${response.status}, which the OpenAPI document does not declare`);
    const content = declared.content ?? {};
    const mediaType = mediaTypeOf(response);
    if (Object.keys(content).length === 0) {
      if (response.raw.length > 0)
        throw new Error(`${ref.key} ${response.status} sent a ${mediaType} body where the document declares none`);
    } else {
      if (!Object.keys(content).includes(mediaType))
        throw new Error(
          `${ref.key} ${response.status} sent ${mediaType || 'no content type'}; declared: ${Object.keys(content).join(', ')}`,
        );
      if (/json/.test(mediaType)) {
        const validate = this.ajv.compile({
          $ref: `openapi#/${pointer('paths', ref.path, ref.method, 'responses', String(response.status), 'content', mediaType, 'schema')}`,
        });
        if (!validate(response.body))
          throw new Error(
            `${ref.key} ${response.status} does not match its schema: ${this.ajv.errorsText(validate.errors)}`,
          );
      }
    }
    const statuses = this.seen.get(ref.key) ?? new Set<number>();
    statuses.add(response.status);
    this.seen.set(ref.key, statuses);
    return response;
  }
}
