import { isAppError } from './errors';

// Failures that say "not now" rather than "never": a service that is restarting, a connection refused or cut, a
// PostgreSQL server shutting down or starting up. Work that failed this way is retried until the dependency is back;
// it is not a poison message (ARCHITECTURE.md "Fault matrix").

const networkCodes = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH']);

/** SQLSTATE class 08 (connection exception), 57P01–57P03 (shutdown, crash, cannot connect now), 53300 (too many connections). */
const isTransientSqlState = (code: string): boolean =>
  code.startsWith('08') || code === '57P01' || code === '57P02' || code === '57P03' || code === '53300';

/** True when `error` (or an error it was caused by) is typed as a dependency being unavailable for now. */
export function isTransientFailure(error: unknown): boolean {
  const seen = new Set<unknown>();
  for (let current = error; current !== undefined && current !== null && !seen.has(current);) {
    seen.add(current);
    if (isAppError(current) && (current.code === 'SERVICE_UNAVAILABLE' || current.code === 'UPSTREAM_UNAVAILABLE'))
      return true;
    const code = (current as { code?: unknown }).code;
    if (
      typeof code === 'string' &&
      (networkCodes.has(code) || (/^[0-9A-Z]{5}$/.test(code) && isTransientSqlState(code)))
    )
      return true;
    if (current instanceof AggregateError && current.errors.some((inner) => isTransientFailure(inner))) return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}
