// One error type for the whole platform. The set of codes is closed so integrators can
// switch on `code`; each code maps to exactly one HTTP status in one place (below).

export const errorCodes = {
  VALIDATION_FAILED: 400,
  INVALID_METADATA: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  IDEMPOTENCY_KEY_REUSED: 422,
  IDEMPOTENCY_REQUEST_IN_PROGRESS: 409,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  UNPROCESSABLE: 422,
  RATE_LIMITED: 429,
  INTEGRITY_FAILURE: 500,
  INTERNAL: 500,
  UPSTREAM_UNAVAILABLE: 502,
  SERVICE_UNAVAILABLE: 503,
} as const;

export type ErrorCode = keyof typeof errorCodes;

export type ProblemDetails = {
  type: string;
  title: string;
  status: number;
  code: ErrorCode;
  detail?: string;
  instance?: string;
  requestId?: string;
  errors?: { field: string; message: string }[];
};

const titles: Record<ErrorCode, string> = {
  VALIDATION_FAILED: 'Request validation failed',
  INVALID_METADATA: 'Document metadata is invalid',
  UNAUTHENTICATED: 'Authentication required',
  FORBIDDEN: 'Not allowed',
  NOT_FOUND: 'Not found',
  CONFLICT: 'Conflict',
  IDEMPOTENCY_KEY_REUSED: 'Idempotency-Key reused with a different request',
  IDEMPOTENCY_REQUEST_IN_PROGRESS: 'A request with this Idempotency-Key is still in progress',
  PAYLOAD_TOO_LARGE: 'Payload too large',
  UNSUPPORTED_MEDIA_TYPE: 'Unsupported media type',
  UNPROCESSABLE: 'Request cannot be processed',
  RATE_LIMITED: 'Too many requests',
  INTEGRITY_FAILURE: 'Stored content failed its integrity check',
  INTERNAL: 'Internal error',
  UPSTREAM_UNAVAILABLE: 'An upstream service is unavailable',
  SERVICE_UNAVAILABLE: 'Service temporarily unavailable',
};

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly errors: { field: string; message: string }[] | undefined;
  /** Seconds a client should wait before retrying (sent as Retry-After). */
  readonly retryAfterSeconds: number | undefined;

  constructor(
    code: ErrorCode,
    message?: string,
    options: { cause?: unknown; errors?: { field: string; message: string }[]; retryAfterSeconds?: number } = {},
  ) {
    super(message ?? titles[code], { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.status = errorCodes[code];
    this.errors = options.errors;
    this.retryAfterSeconds = options.retryAfterSeconds;
  }
}

export const isAppError = (error: unknown): error is AppError => error instanceof AppError;

/** RFC 9457 body. 5xx details are replaced by the title: internals never reach clients. */
export function toProblem(error: AppError, requestId?: string, instance?: string): ProblemDetails {
  const problem: ProblemDetails = {
    type: `https://vanthu.dev/problems/${error.code.toLowerCase().replace(/_/g, '-')}`,
    title: titles[error.code],
    status: error.status,
    code: error.code,
  };
  if (error.status < 500 && error.message !== titles[error.code]) problem.detail = error.message;
  if (error.errors && error.errors.length > 0) problem.errors = error.errors;
  if (instance !== undefined) problem.instance = instance;
  if (requestId !== undefined) problem.requestId = requestId;
  return problem;
}
