import type { FastifyRequest } from 'fastify';
import { contextFor, identityHeader } from '@vanthu/platform';
import type { Clock, Pool } from '@vanthu/platform';
import type { RoutingContext, RoutingDeps, StatementReader } from '../domain/routing-context';
import { withWriteBuffer } from '../domain/write-buffer';

export type RoutingRouteDeps = RoutingDeps & { pool: Pool; clock: Clock };

/** The use-case context of a request; calls to documents carry the caller's own assertion. */
export function routingContextFor(request: FastifyRequest, deps: RoutingRouteDeps, operation: string): RoutingContext {
  const assertion = request.headers[identityHeader];
  const base = contextFor(request, deps.pool, operation, deps.clock);
  return {
    ...base,
    // History rows and events written with one statement at the end of the use case (domain/write-buffer.ts).
    runInTransaction: (work) => base.runInTransaction((tx) => withWriteBuffer(tx, work)),
    documents: deps.documents,
    ...(deps.signing ? { signing: deps.signing } : {}),
    events: deps.events,
    ...(deps.timers ? { timers: deps.timers } : {}),
    ...(deps.serviceIdentity ? { serviceIdentity: deps.serviceIdentity } : {}),
    ...(deps.serviceClaims ? { serviceClaims: deps.serviceClaims } : {}),
    localAgencies: deps.localAgencies,
    credentials: { identity: typeof assertion === 'string' ? assertion : '', requestId: request.id },
    readStatement: statementReader(deps.pool),
    autocommit: deps.autocommit ?? statementReader(deps.pool),
  };
}

/** One statement on a pooled connection, no transaction around it (see StatementReader). */
export function statementReader(pool: Pool): StatementReader {
  return async (read) => {
    const client = await pool.connect();
    try {
      return await read(client);
    } finally {
      client.release();
    }
  };
}
