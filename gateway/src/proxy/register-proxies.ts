import proxy from '@fastify/http-proxy';
import type { FastifyInstance } from 'fastify';
import { AppError, identityHeader, sendProblem } from '@vanthu/platform';
import type { Upstream } from './upstreams';
import { BodyTooLargeError, limitBody } from './limit-body';

/**
 * Proxies each public prefix to its service. The caller's own Authorization and any
 * identity header it tried to send are dropped; the gateway's signed identity assertion and
 * the request id are the only identity the service ever sees.
 */
export async function registerProxies(app: FastifyInstance, services: Upstream[], maxBodyBytes: number): Promise<void> {
  // Bodies are streamed to the services untouched (never parsed or buffered here), through a
  // counter that stops an oversized upload even when it came without a Content-Length.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (_request, payload, done) => done(null, limitBody(payload, maxBodyBytes)));
  for (const upstream of services) {
    for (const prefix of upstream.prefixes) {
      await app.register(proxy, {
        upstream: upstream.url,
        prefix,
        rewritePrefix: prefix,
        proxyPayloads: false,
        http: { requestOptions: { timeout: 120_000 } },
        replyOptions: {
          rewriteRequestHeaders: (request, headers) => {
            const forwarded: Record<string, string | string[] | undefined> = { ...headers };
            delete forwarded.authorization;
            delete forwarded[identityHeader];
            if (request.identityAssertion) forwarded[identityHeader] = request.identityAssertion;
            forwarded['x-request-id'] = request.id;
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
