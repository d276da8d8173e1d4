import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import type { FastifyReply, FastifyRequest } from 'fastify';

// The published documents are large (the OpenAPI document is over 800 KB of JSON) and change only when a service
// is redeployed, so each is prepared once: its text, a strong ETag and a gzip copy (about a tenth of the size).
// Clients that poll it (integrators' CI, the docs page) get 304 for an unchanged document, and the rest get the
// compressed bytes when they accept them; serving the raw text to every reader capped it at a few hundred a second.

export type PreparedDocument = { text: string; etag: string; gzip: Buffer };

export function prepareDocument(text: string): PreparedDocument {
  const etag = `"${createHash('sha256').update(text).digest('base64url').slice(0, 27)}"`;
  return { text, etag, gzip: gzipSync(text, { level: 9 }) };
}

function matches(ifNoneMatch: string | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false;
  return ifNoneMatch
    .split(',')
    .map((tag) => tag.trim().replace(/^W\//, ''))
    .some((tag) => tag === etag || tag === '*');
}

/** Sends a prepared JSON document: 304 when the client holds it already, gzip when the client accepts it. */
export function sendPrepared(request: FastifyRequest, reply: FastifyReply, document: PreparedDocument): FastifyReply {
  void reply.header('etag', document.etag).header('vary', 'accept-encoding').header('cache-control', 'no-cache');
  if (matches(request.headers['if-none-match'], document.etag)) return reply.code(304).send();
  void reply.type('application/json; charset=utf-8');
  if (/\bgzip\b/.test(request.headers['accept-encoding'] ?? ''))
    return reply.header('content-encoding', 'gzip').send(document.gzip);
  return reply.send(document.text);
}
