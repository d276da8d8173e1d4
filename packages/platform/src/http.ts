import { randomUUID } from 'node:crypto';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import Fastify, { LogController } from 'fastify';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import swagger from '@fastify/swagger';
import { Type } from '@sinclair/typebox';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { AppError, isAppError, toProblem } from './errors';
import { createIdentityVerifier, identityHeader } from './identity';
import type { Identity } from './identity';
import { runHealthChecks } from './health';
import { buildResponseSerializer } from './serialization';
import { assertStorableText } from './storable-text';
import { isTransientFailure } from './transient-failure';
import { installRequestMetrics } from './metrics';
import { installRequestTracing } from './tracing';
import { installRoleGuard } from './operation-roles';
import { createRequestProofVerifier, gatewayCaller, processProofKeys, proofHeader } from './request-proof';
import type { ServiceProofKeys } from './request-proof';
import type { OperationRoles } from './operation-roles';
import type { HealthCheck } from './health';
import type { Logger } from './logger';

declare module 'fastify' {
  interface FastifyRequest {
    identity: Identity;
    /** Who sent the request: `gateway`, or the name of the service that called (its request proof's key). */
    caller?: string;
  }
}

export type ServiceApp = FastifyInstance<Server, IncomingMessage, ServerResponse, Logger, TypeBoxTypeProvider>;

export type ServiceAppOptions = {
  name: string;
  version: string;
  description: string;
  logger: Logger;
  /** PEM of the gateway's identity key; requests to /v1 must carry an assertion signed by it. */
  identityPublicKey: string;
  /** PEM of the service identity key; when set, other services may call with their own assertions. */
  servicePublicKey?: string;
  healthChecks?: HealthCheck[];
  bodyLimitBytes?: number;
  /** Who may call each /v1 operation, by operationId: published as `x-vanthu-roles` and enforced (operation-roles.ts). */
  operationRoles?: OperationRoles;
  /**
   * This service's request proof keys (request-proof.ts); by default the process's (REQUEST_PROOF_KEYS_FILE). With
   * them every /v1 request must carry a proof made for it; without them (an app under inject) none is asked.
   */
  requestProof?: ServiceProofKeys;
};

/** RFC 9457 problem details, as every error response carries them. */
export const ProblemSchema = Type.Object(
  {
    type: Type.String(),
    title: Type.String(),
    status: Type.Integer(),
    code: Type.String({ description: 'Stable machine-readable code' }),
    detail: Type.Optional(Type.String()),
    instance: Type.Optional(Type.String()),
    requestId: Type.Optional(Type.String()),
    errors: Type.Optional(Type.Array(Type.Object({ field: Type.String(), message: Type.String() }))),
  },
  { $id: 'Problem' },
);

const requestIdPattern = /^[A-Za-z0-9._:-]{8,128}$/;

/** The caller's x-request-id when it is well-formed, else a new one: ids from outside are checked, never trusted blindly. */
export function requestIdFrom(req: { headers: Record<string, string | string[] | undefined> }): string {
  const given = req.headers['x-request-id'];
  return typeof given === 'string' && requestIdPattern.test(given) ? given : randomUUID();
}

// Body validation never coerces or strips: a wrong type or an unknown field is a 400 naming
// the field. Query strings and params are text on the wire, so those are coerced.
function validatorCompilers(): { body: Ajv; other: Ajv } {
  const base = { allErrors: true, removeAdditional: false, useDefaults: true, strict: false } as const;
  const body = new Ajv({ ...base, coerceTypes: false });
  const other = new Ajv({ ...base, coerceTypes: 'array' });
  for (const ajv of [body, other]) addFormats(ajv);
  return { body, other };
}

function fieldErrors(error: FastifyError): { field: string; message: string }[] {
  const context = error.validationContext ?? 'body';
  return (error.validation ?? []).map((v) => {
    const params = v.params as { missingProperty?: string; additionalProperty?: string };
    const path = v.instancePath.replace(/^\//, '').replace(/\//g, '.');
    const leaf = params.missingProperty ?? params.additionalProperty;
    const field = [context, path, leaf].filter((part) => part !== undefined && part !== '').join('.');
    const message = params.additionalProperty ? 'unknown field' : (v.message ?? 'invalid');
    return { field, message };
  });
}

/** Maps anything thrown in a request to RFC 9457 problem+json, in one place. */
export function toAppError(error: unknown): AppError {
  if (isAppError(error)) return error;
  const fastifyError = error as FastifyError;
  if (fastifyError.validation) {
    const errors = fieldErrors(fastifyError);
    return new AppError('VALIDATION_FAILED', errors.map((e) => `${e.field}: ${e.message}`).join('; '), { errors });
  }
  switch (fastifyError.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
    case 'FST_REQ_FILE_TOO_LARGE':
    case 'FST_FILES_LIMIT':
    case 'FST_PARTS_LIMIT':
    case 'FST_FIELDS_LIMIT':
      return new AppError('PAYLOAD_TOO_LARGE', fastifyError.message);
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_INVALID_MULTIPART_CONTENT_TYPE':
      return new AppError('UNSUPPORTED_MEDIA_TYPE', fastifyError.message);
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
    case 'FST_PROTO_VIOLATION':
      return new AppError('VALIDATION_FAILED', fastifyError.message);
    default:
      break;
  }
  if (fastifyError.statusCode === 400 && typeof fastifyError.message === 'string') {
    return new AppError('VALIDATION_FAILED', fastifyError.message);
  }
  if (fastifyError.statusCode === 429) return new AppError('RATE_LIMITED', fastifyError.message);
  // "Not now", not "never": PostgreSQL restarting or out of connection slots, a service refusing connections. The
  // caller is told to come back (503 + Retry-After) instead of being handed a 500 for a request that will succeed.
  if (isTransientFailure(error))
    return new AppError('SERVICE_UNAVAILABLE', 'a dependency is unavailable for now; try again shortly', {
      cause: error,
      retryAfterSeconds: 2,
    });
  return new AppError('INTERNAL', undefined, { cause: error });
}

type ProblemReply = {
  code(status: number): ProblemReply;
  header(name: string, value: string): ProblemReply;
  send(payload: unknown): unknown;
};

/** Sends an AppError as problem+json; typed structurally so the gateway's proxy replies can use it too. */
export function sendProblem(request: { id: string; url: string }, reply: unknown, error: AppError): void {
  const target = reply as ProblemReply;
  if (error.retryAfterSeconds !== undefined) target.header('retry-after', String(error.retryAfterSeconds));
  target
    .code(error.status)
    .header('content-type', 'application/problem+json; charset=utf-8')
    .send(toProblem(error, request.id, request.url.split('?')[0]));
}

/**
 * Builds a service's fastify instance with the conventions every service shares: request ids,
 * strict validation, problem+json errors, identity from the gateway on /v1, the OpenAPI
 * document at /openapi.json, and health probes.
 */
export async function buildServiceApp(options: ServiceAppOptions): Promise<ServiceApp> {
  const app = Fastify({
    loggerInstance: options.logger,
    bodyLimit: options.bodyLimitBytes ?? 1024 * 1024,
    // genReqId reads and validates x-request-id itself; a malformed one is replaced, never trusted.
    requestIdHeader: false,
    genReqId: requestIdFrom,
    ajv: { customOptions: { removeAdditional: false } },
    // Responses are serialised from Ajv-free copies of their schemas (serialization.ts).
    schemaController: { compilersFactory: { buildSerializer: buildResponseSerializer } },
    // One access line per request (below) instead of fastify's two. Through a LogController: fastify 5.12
    // deprecates the top-level disableRequestLogging option (FSTDEP023) and printed a warning per process.
    logController: new LogController({ disableRequestLogging: true }),
  }).withTypeProvider<TypeBoxTypeProvider>() as unknown as ServiceApp;

  const compilers = validatorCompilers();
  app.setValidatorCompiler(({ schema, httpPart }) => {
    // Multipart bodies are streamed and checked part by part in the route; the schema is
    // there to document them in OpenAPI.
    if (httpPart === 'body' && (schema as Record<string, unknown>)['x-multipart'] === true) return () => true;
    return (httpPart === 'body' ? compilers.body : compilers.other).compile(schema);
  });
  app.addSchema(ProblemSchema);
  if (options.operationRoles) installRoleGuard(app as unknown as FastifyInstance, options.operationRoles);

  app.addHook('onRequest', async (request, reply) => {
    void reply.header('x-request-id', request.id);
  });
  app.addHook('onResponse', async (request, reply) => {
    request.log.info(
      { method: request.method, url: request.url, statusCode: reply.statusCode, ms: Math.round(reply.elapsedTime) },
      'request',
    );
  });

  await app.register(swagger, {
    // Shared schemas appear under their $id (Document, Problem, …) rather than def-0, def-1.
    refResolver: {
      buildLocalReference: (json, _baseUri, _fragment, index) =>
        typeof json.$id === 'string' ? json.$id : `def-${index}`,
    },
    openapi: {
      openapi: '3.1.0',
      info: { title: `vanthu ${options.name}`, version: options.version, description: options.description },
      components: {
        securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
      },
      security: [{ bearerAuth: [] }],
    },
  });

  const verifyIdentity = createIdentityVerifier(options.identityPublicKey, options.servicePublicKey);
  const proofKeys = options.requestProof ?? processProofKeys();
  const verifyProof =
    proofKeys && proofKeys.service === options.name
      ? createRequestProofVerifier(proofKeys.service, proofKeys.key)
      : undefined;
  app.decorateRequest('identity', undefined as unknown as Identity);
  app.decorateRequest('caller', undefined);
  app.addHook('onRequest', async (request) => {
    if (!request.url.startsWith('/v1/')) return;
    const assertion = request.headers[identityHeader];
    if (typeof assertion !== 'string') throw new AppError('UNAUTHENTICATED', 'requests must come through the gateway');
    if (verifyProof) {
      const requestId = request.headers['x-request-id'];
      const idempotencyKey = request.headers['idempotency-key'];
      request.caller = verifyProof(request.headers[proofHeader], {
        method: request.method,
        url: request.url,
        requestId: typeof requestId === 'string' ? requestId : undefined,
        idempotencyKey: typeof idempotencyKey === 'string' ? idempotencyKey : undefined,
        assertion,
      });
    }
    request.identity = verifyIdentity(assertion);
    // The gateway forwards people only: a service identity arriving with the gateway's proof was never made by a
    // service for this call. (A service may pass on another's: signing reads documents with the identity routing
    // sealed under, so the proof's caller, in request.caller, is the service that called, not the identity's.)
    if (request.caller === gatewayCaller && request.identity.roles.includes('service'))
      throw new AppError(
        'UNAUTHENTICATED',
        `a service identity of ${request.identity.userId} sent by ${request.caller}`,
      );
  });

  // Before schema validation, so that a NUL byte is refused as such even where the schema would accept the string.
  app.addHook('preValidation', async (request) => {
    if (request.body !== null && typeof request.body === 'object' && !Buffer.isBuffer(request.body))
      assertStorableText(request.body, 'body');
  });

  app.setErrorHandler((error, request, reply) => {
    const appError = toAppError(error);
    if (appError.status >= 500) request.log.error({ err: error }, 'request failed');
    else request.log.info({ code: appError.code, detail: appError.message }, 'request refused');
    sendProblem(request, reply, appError);
  });
  app.setNotFoundHandler((request, reply) =>
    sendProblem(request, reply, new AppError('NOT_FOUND', `no route ${request.method} ${request.url.split('?')[0]}`)),
  );

  const checks = options.healthChecks ?? [];
  const hidden = { schema: { hide: true } };
  app.get('/health/live', hidden, async () => ({ status: 'ok', service: options.name }));
  const ready = async (_request: FastifyRequest, reply: FastifyReply) => {
    const report = await runHealthChecks(options.name, options.version, checks);
    return reply.status(report.status === 'ok' ? 200 : 503).send(report);
  };
  app.get('/health', hidden, ready);
  app.get('/health/ready', hidden, ready);
  app.get('/openapi.json', hidden, async () => app.swagger());
  // Services listen on internal addresses only; the gateway, which faces callers, keeps its own to the host.
  installRequestMetrics(app as unknown as FastifyInstance, options.name);
  installRequestTracing(app as unknown as FastifyInstance);
  return app;
}

/** The app's generated OpenAPI document (after `ready()`). */
export const openApiDocumentOf = (app: ServiceApp): unknown => app.swagger();
