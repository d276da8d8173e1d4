import proxy from '@fastify/http-proxy';
import type { FastifyInstance } from 'fastify';
import { AppError, identityHeader, proofHeader, sendProblem } from '@vanthu/platform';
import type { RequestProver } from '@vanthu/platform';
import type { Upstream } from './upstreams';
import { BodyTooLargeError, limitBody } from './limit-body';
import { ReplicaSet } from './replica-set';

/** Keep-alive connections the gateway holds open to each service (the undici pool shared by its prefixes). */
const connectionsPerService = 128;
/** A proxied call may take this long (a 200-document signing batch, a large upload) before the gateway gives up. */
const upstreamTimeoutMs = 120_000;

/**
 * Proxies each public prefix to its service. The caller's own Authorization and any
 * identity header it tried to send are dropped; the gateway's signed identity assertion and
 * the request id are the only identity the service ever sees.
 *
 * Each service gets one undici connection pool, shared by all of its prefixes: undici's client is several times
 * cheaper per request than node's http module (which @fastify/reply-from uses when given `http` options), and
 * one pool per service keeps its connections warm whatever path a burst uses. Proxy-level request logging is off;
 * the gateway writes one access line per request (app.ts).
 */
export async function registerProxies(
  app: FastifyInstance,
  services: Upstream[],
  maxBodyBytes: number,
  prove?: RequestProver,
): Promise<void> {
  // Bodies are streamed to the services untouched (never parsed or buffered here), through a
  // counter that stops an oversized upload even when it came without a Content-Length.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (_request, payload, done) => done(null, limitBody(payload, maxBodyBytes)));
  const pools = services.map(
    (upstream) =>
      new ReplicaSet(
        upstream.service,
        upstream.replicas,
        {
          connections: connectionsPerService,
          pipelining: 1,
          keepAliveTimeout: 30_000,
          headersTimeout: upstreamTimeoutMs,
          bodyTimeout: upstreamTimeoutMs,
        },
        app.log,
      ),
  );
  for (const pool of pools) pool.start();
  app.addHook('onClose', async () => {
    await Promise.all(pools.map((pool) => pool.close()));
  });
  for (const [index, upstream] of services.entries()) {
    for (const prefix of upstream.prefixes) {
      await app.register(proxy, {
        upstream: upstream.url,
        prefix,
        rewritePrefix: prefix,
        proxyPayloads: false,
        undici: pools[index]?.dispatcher as never,
        disableRequestLogging: true,
        replyOptions: {
          timeout: upstreamTimeoutMs,
          // No retries at the gateway: @fastify/reply-from resends a GET that answered 503 up to ten times (reading
          // Retry-After's seconds as milliseconds), and a resent request carries the same single-use request proof,
          // which the service then refuses (401). The service's 503 + Retry-After goes to the client, who retries.
          retryDelay: () => null,
          rewriteRequestHeaders: (request, headers) => {
            const forwarded: Record<string, string | string[] | undefined> = { ...headers };
            delete forwarded.authorization;
            delete forwarded[identityHeader];
            delete forwarded[proofHeader];
            forwarded['x-request-id'] = request.id;
            if (request.identityAssertion) {
              forwarded[identityHeader] = request.identityAssertion;
              // One HMAC per request: the assertion is good at the service for this request only (request-proof.ts).
              if (prove) {
                const idempotencyKey = headers['idempotency-key'];
                forwarded[proofHeader] = prove(upstream.service, {
                  method: request.method,
                  url: request.url,
                  requestId: request.id,
                  idempotencyKey: typeof idempotencyKey === 'string' ? idempotencyKey : undefined,
                  assertion: request.identityAssertion,
                });
              }
            }
            return forwarded;
          },
          onError: (reply, { error }) => {
            if (
              error instanceof BodyTooLargeError ||
              (error as { cause?: unknown }).cause instanceof BodyTooLargeError
            ) {
              sendProblem(
                reply.request,
                reply,
                error instanceof BodyTooLargeError ? error : (error as { cause: BodyTooLargeError }).cause,
              );
              return;
            }
            reply.request.log.warn({ err: error, service: upstream.service }, 'upstream unavailable');
            // 503, not 502: a service that does not answer is down or being restarted by the supervisor
            // (infra/src/process-supervisor.ts), and Retry-After tells the client when to try again.
            sendProblem(
              reply.request,
              reply,
              new AppError('SERVICE_UNAVAILABLE', `the ${upstream.service} service did not answer`, {
                retryAfterSeconds: 5,
              }),
            );
          },
        },
      });
    }
  }
}
