import http from 'node:http';
import Fastify, { LogController } from 'fastify';
import type { FastifyInstance } from 'fastify';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import {
  AppError,
  createGatewayProver,
  installRequestMetrics,
  installRequestTracing,
  requestIdFrom,
  sendProblem,
  toAppError,
} from '@vanthu/platform';
import type { Logger } from '@vanthu/platform';
import { buildAsyncApiDocument } from '@vanthu/contracts';
import { registerAuthentication } from './auth/authenticate';
import { gatewayVersion } from './config';
import type { GatewayConfig, IssuerConfig } from './config';
import { aggregateHealth } from './health/aggregate-health';
import { prepareDocument, sendPrepared } from './openapi/prepared-document';
import { OpenApiComposer } from './openapi/compose';
import { registerProxies } from './proxy/register-proxies';
import { upstreams } from './proxy/upstreams';

export type GatewayDeps = {
  config: GatewayConfig;
  logger: Logger;
  issuers: IssuerConfig[];
  identityPrivateKey: string;
  /** The request proofs' master secret: with it each proxied request carries a proof made for it (request-proof.ts). */
  requestProofMaster?: Buffer;
};

export async function buildGateway(deps: GatewayDeps): Promise<FastifyInstance> {
  const { config } = deps;
  const app = Fastify({
    loggerInstance: deps.logger,
    // genReqId reads and validates x-request-id itself; a malformed one is replaced, never trusted.
    requestIdHeader: false,
    genReqId: requestIdFrom,
    bodyLimit: config.MAX_UPLOAD_BYTES,
    // One access line per request (below) instead of fastify's two ("incoming request", "request completed"):
    // at thousands of requests a second the log writes were a measurable share of the gateway's CPU. Through a
    // LogController: fastify 5.12 deprecates the top-level disableRequestLogging option (FSTDEP023).
    logController: new LogController({ disableRequestLogging: true }),
    // Slow clients (slow-loris): headers and the whole request must arrive within their limits, checked every
    // second at most, or Node answers 408 and closes the connection. Idle keep-alive connections stay fastify's 72 s:
    // a short server timeout races clients that reuse a connection just as the server closes it ("other side
    // closed"), which the contract tier met under load with 5 s.
    serverFactory: (handler) =>
      http.createServer(
        {
          headersTimeout: config.HEADERS_TIMEOUT_MS,
          requestTimeout: config.REQUEST_TIMEOUT_MS,
          connectionsCheckingInterval: Math.min(1_000, config.HEADERS_TIMEOUT_MS),
          keepAliveTimeout: 72_000,
        },
        handler,
      ),
  }) as unknown as FastifyInstance;
  const services = upstreams(config);

  app.setErrorHandler((error, request, reply) => {
    const appError = toAppError(error);
    if (appError.status >= 500) request.log.error({ err: error }, 'gateway request failed');
    if (appError.code === 'UNAUTHENTICATED')
      void reply.header('www-authenticate', 'Bearer realm="vanthu", error="invalid_token"');
    sendProblem(request, reply, appError);
  });
  app.setNotFoundHandler((request, reply) =>
    sendProblem(request, reply, new AppError('NOT_FOUND', `no route ${request.method} ${request.url.split('?')[0]}`)),
  );

  app.addHook('onResponse', async (request, reply) => {
    request.log.info(
      { method: request.method, url: request.url, statusCode: reply.statusCode, ms: Math.round(reply.elapsedTime) },
      'request',
    );
  });

  await registerAuthentication(app, deps.issuers, deps.identityPrivateKey);

  app.addHook('onRequest', async (request, reply) => {
    void reply.header('x-request-id', request.id);
    if (!request.url.startsWith('/v1/')) return;
    // Refuse an announced oversized upload before reading a byte of it. Bodies sent without a
    // length are limited by the service while it streams them.
    const length = Number(request.headers['content-length'] ?? 0);
    if (length > config.MAX_UPLOAD_BYTES) {
      throw new AppError('PAYLOAD_TOO_LARGE', `uploads are limited to ${config.MAX_UPLOAD_BYTES} bytes`);
    }
    await app.authenticate(request);
  });

  await app.register(rateLimit, {
    global: true,
    hook: 'preHandler',
    max: config.RATE_LIMIT_PER_MINUTE,
    timeWindow: 60_000,
    keyGenerator: (request) =>
      request.verifiedIdentity
        ? `${request.verifiedIdentity.agencyCode}/${request.verifiedIdentity.userId}`
        : request.ip,
    errorResponseBuilder: (_request, context) =>
      new AppError('RATE_LIMITED', `limit of ${context.max} requests per minute reached; retry after ${context.after}`),
  });

  // The gateway faces callers: its metrics are for a Prometheus on the host itself, never for a forwarded request.
  installRequestMetrics(app, 'gateway', (request) => isLoopback(request.ip) && !request.headers['x-forwarded-for']);
  installRequestTracing(app);
  await registerProxies(
    app,
    services,
    config.MAX_UPLOAD_BYTES,
    deps.requestProofMaster ? createGatewayProver(deps.requestProofMaster) : undefined,
  );

  const composer = new OpenApiComposer(services, gatewayVersion, app.log);
  // The docs page reads the composed document through @fastify/swagger in static mode.
  await app.register(swagger, { mode: 'static', specification: { document: composer.live as never } });
  // Both documents are served from memory as serialised JSON: composing and stringifying the OpenAPI document per
  // request capped /openapi.json at a few hundred requests a second.
  app.get('/openapi.json', { config: { rateLimit: false } }, async (request, reply) =>
    sendPrepared(request, reply, await composer.document()),
  );
  const asyncApi = prepareDocument(JSON.stringify(buildAsyncApiDocument(gatewayVersion)));
  app.get('/asyncapi.json', { config: { rateLimit: false } }, async (request, reply) =>
    sendPrepared(request, reply, asyncApi),
  );
  app.get('/health', { config: { rateLimit: false } }, async (_request, reply) => {
    const health = await aggregateHealth(services);
    return reply.status(health.status === 'ok' ? 200 : 503).send(health);
  });
  app.get('/health/live', { config: { rateLimit: false } }, async () => ({ status: 'ok', service: 'gateway' }));
  await app.register(swaggerUi, {
    routePrefix: '/docs',
    uiConfig: { docExpansion: 'list', deepLinking: true },
    staticCSP: true,
  });
  // The reference page integrators read (Scalar), beside Swagger UI. The browser loads the live composed document
  // from /openapi.json, and the page's script is served by the gateway itself, never from a CDN: agencies' networks
  // often reach nothing outside, and a page that differs from the running services would mislead.
  // The plugin is published as an ES module only; this CommonJS package loads it with import().
  const { default: apiReference } = await import('@scalar/fastify-api-reference');
  await app.register(apiReference, {
    routePrefix: '/reference',
    configuration: {
      url: '/openapi.json',
      title: 'vanthu API reference',
      withDefaultFonts: false,
      hideClientButton: false,
      telemetry: false,
    },
  });
  app.addHook('onReady', async () => {
    await composer.refresh();
  });
  return app;
}

const isLoopback = (ip: string): boolean => ip === '127.0.0.1' || ip === '::1' || ip === '::ffff:127.0.0.1';
