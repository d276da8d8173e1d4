// Every vanthu error is RFC 9457 problem+json with a stable `code` (packages/platform/src/errors.ts is the closed
// set; test/client keeps this list equal to it). Integrators switch on `code`, never on the message text.

export const problemCodes = [
  'VALIDATION_FAILED',
  'INVALID_METADATA',
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'NOT_FOUND',
  'CONFLICT',
  'IDEMPOTENCY_KEY_REUSED',
  'IDEMPOTENCY_REQUEST_IN_PROGRESS',
  'PAYLOAD_TOO_LARGE',
  'UNSUPPORTED_MEDIA_TYPE',
  'UNPROCESSABLE',
  'RATE_LIMITED',
  'INTEGRITY_FAILURE',
  'INTERNAL',
  'UPSTREAM_UNAVAILABLE',
  'SERVICE_UNAVAILABLE',
] as const;

/** A code of the platform's closed set; `UNEXPECTED_RESPONSE` when the answer was not problem+json at all. */
export type ProblemCode = (typeof problemCodes)[number] | 'UNEXPECTED_RESPONSE';

export type FieldError = { field: string; message: string };

/** A refused call: the problem+json body as a typed exception. */
export class VanthuProblem extends Error {
  readonly status: number;
  readonly code: ProblemCode;
  readonly title: string;
  readonly detail: string | undefined;
  readonly type: string | undefined;
  readonly instance: string | undefined;
  readonly requestId: string | undefined;
  readonly errors: FieldError[];
  /** Seconds the server asked to wait (Retry-After), when it said. */
  readonly retryAfterSeconds: number | undefined;
  readonly method: string;
  readonly url: string;

  constructor(init: {
    status: number;
    code: ProblemCode;
    title: string;
    detail?: string;
    type?: string;
    instance?: string;
    requestId?: string;
    errors?: FieldError[];
    retryAfterSeconds?: number;
    method: string;
    url: string;
  }) {
    super(`${init.method} ${init.url} → ${init.status} ${init.code}: ${init.detail ?? init.title}`);
    this.name = 'VanthuProblem';
    this.status = init.status;
    this.code = init.code;
    this.title = init.title;
    this.detail = init.detail;
    this.type = init.type;
    this.instance = init.instance;
    this.requestId = init.requestId;
    this.errors = init.errors ?? [];
    this.retryAfterSeconds = init.retryAfterSeconds;
    this.method = init.method;
    this.url = init.url;
  }
}

const isKnownCode = (code: unknown): code is ProblemCode =>
  typeof code === 'string' && (problemCodes as readonly string[]).includes(code);

/** Seconds from a Retry-After header (delta-seconds or an HTTP date), or undefined. */
export function retryAfterSeconds(header: string | null, now: number = Date.now()): number | undefined {
  if (header === null || header.trim() === '') return undefined;
  if (/^\d+$/.test(header.trim())) return Number(header.trim());
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - now) / 1000));
}

/** Builds the exception from a failed response and the body openapi-fetch already parsed (or its text). */
export function problemOf(request: { method: string; url: string }, response: Response, body: unknown): VanthuProblem {
  const retryAfter = retryAfterSeconds(response.headers.get('retry-after'));
  const common = {
    status: response.status,
    method: request.method,
    url: request.url,
    ...(retryAfter === undefined ? {} : { retryAfterSeconds: retryAfter }),
  };
  if (body !== null && typeof body === 'object' && isKnownCode((body as { code?: unknown }).code)) {
    const p = body as {
      code: ProblemCode;
      title?: string;
      detail?: string;
      type?: string;
      instance?: string;
      requestId?: string;
      errors?: FieldError[];
    };
    return new VanthuProblem({
      ...common,
      code: p.code,
      title: p.title ?? response.statusText,
      ...(p.detail === undefined ? {} : { detail: p.detail }),
      ...(p.type === undefined ? {} : { type: p.type }),
      ...(p.instance === undefined ? {} : { instance: p.instance }),
      ...(p.requestId === undefined ? {} : { requestId: p.requestId }),
      ...(Array.isArray(p.errors) ? { errors: p.errors } : {}),
    });
  }
  const text = typeof body === 'string' ? body.slice(0, 200) : undefined;
  return new VanthuProblem({
    ...common,
    code: 'UNEXPECTED_RESPONSE',
    title: `unexpected ${response.status} response (${response.headers.get('content-type') ?? 'no content type'})`,
    ...(text ? { detail: text } : {}),
  });
}
