import type { FastifyRequest } from 'fastify';
import type { Identity } from '@vanthu/platform';
import type { Caller } from '../signatures/signing-deps';

/** The caller with the headers to forward unchanged to documents. */
export function callerOf(request: FastifyRequest): Caller {
  const identity = (request as FastifyRequest & { identity: Identity }).identity;
  const assertion = request.headers['x-vanthu-identity'];
  return {
    identity,
    requestId: request.id,
    headers: { identity: typeof assertion === 'string' ? assertion : '', requestId: request.id },
  };
}
