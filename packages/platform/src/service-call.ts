import { AppError, type ErrorCode } from './errors';
import { processRequestProver, proofHeader } from './request-proof';

// One way for a service to call another over HTTP (ARCHITECTURE.md "Identity between services"): the identity assertion and
// request id travel with the call, a service that cannot be reached or fails is 503 with Retry-After (the caller's
// client or queue tries again), and the called service's refusal passes through under the same error code, with its
// detail, so that what an integrator reads does not depend on which service said no.

/** The identity assertion a call carries (the caller's own, or a service identity for an agency) and its request id. */
export type ServiceCredentials = { identity: string; requestId?: string };

export type ServiceRequest = {
  credentials: ServiceCredentials;
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** A JSON body (sent with `content-type: application/json`). */
  json?: unknown;
  /** A multipart body; fetch sets its content type with the boundary. */
  form?: FormData;
  idempotencyKey?: string;
};

/** The error code a called service's status becomes here; anything unlisted below 500 is a refusal (422). */
const codeForStatus: Record<number, ErrorCode> = {
  400: 'VALIDATION_FAILED',
  401: 'UNAUTHENTICATED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  409: 'CONFLICT',
};

/** Seconds to wait before a retry when the called service does not say (its own Retry-After wins). */
const defaultRetryAfterSeconds = 5;

/** Calls one service at `baseUrl` (its name is used in error messages); one instance per service called. */
export class ServiceClient {
  constructor(
    readonly service: string,
    private readonly baseUrl: string,
    private readonly timeoutMs = 30_000,
  ) {}

  /** The answer when it is 2xx; otherwise an AppError as described above. */
  async request(path: string, request: ServiceRequest): Promise<Response> {
    const headers: Record<string, string> = { 'x-vanthu-identity': request.credentials.identity };
    if (request.credentials.requestId) headers['x-request-id'] = request.credentials.requestId;
    if (request.idempotencyKey) headers['idempotency-key'] = request.idempotencyKey;
    if (request.json !== undefined) headers['content-type'] = 'application/json';
    const method = request.method ?? (request.json !== undefined || request.form ? 'POST' : 'GET');
    // In a service process, each call carries this service's proof for that one request (request-proof.ts).
    const prover = processRequestProver();
    if (prover)
      headers[proofHeader] = prover(this.service, {
        method,
        url: path,
        requestId: request.credentials.requestId,
        idempotencyKey: request.idempotencyKey,
        assertion: request.credentials.identity,
      });
    let response: Response;
    try {
      response = await fetch(`${this.baseUrl}${path}`, {
        method,
        headers,
        body: request.json !== undefined ? JSON.stringify(request.json) : request.form,
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      throw new AppError('SERVICE_UNAVAILABLE', `the ${this.service} service cannot be reached; try again shortly`, {
        cause: error,
        retryAfterSeconds: defaultRetryAfterSeconds,
      });
    }
    if (response.ok) return response;
    throw await this.refusal(response);
  }

  /** POSTs a JSON body and reads the JSON answer. */
  async postJson<T>(path: string, request: Omit<ServiceRequest, 'method' | 'form'>): Promise<T> {
    return (await (await this.request(path, { ...request, method: 'POST' })).json()) as T;
  }

  /** GETs a JSON answer. */
  async getJson<T>(path: string, credentials: ServiceCredentials): Promise<T> {
    return (await (await this.request(path, { credentials })).json()) as T;
  }

  private async refusal(response: Response): Promise<AppError> {
    if (response.status >= 500 || response.status === 429) {
      // A failure inside the called service is its own to log; its detail is an internal one and is not passed on.
      await response.body?.cancel();
      const retryAfter = Number(response.headers.get('retry-after'));
      return new AppError('SERVICE_UNAVAILABLE', `the ${this.service} service failed; try again shortly`, {
        retryAfterSeconds: Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : defaultRetryAfterSeconds,
      });
    }
    let problem: { detail?: string; title?: string } = {};
    try {
      problem = (await response.json()) as typeof problem;
    } catch {
      // a non-JSON error body carries nothing more useful than its status
    }
    const message = `${this.service}: ${problem.detail ?? problem.title ?? `HTTP ${response.status}`}`;
    return new AppError(codeForStatus[response.status] ?? 'UNPROCESSABLE', message);
  }
}
