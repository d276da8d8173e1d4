import { AppError, toAppError } from '../src';

// What a handler's unexpected failure becomes for the caller: a dependency that is away for now is 503 with
// Retry-After (the request will succeed later), anything else stays a 500 whose detail is never sent.

const sqlError = (code: string, message: string): Error => Object.assign(new Error(message), { code });

describe('toAppError', () => {
  it.each([
    ['53300', 'remaining connection slots are reserved for non-replication superuser connections'],
    ['57P01', 'terminating connection due to administrator command'],
    ['57P03', 'the database system is starting up'],
    ['08006', 'connection failure'],
  ])('turns PostgreSQL %s into 503 with Retry-After', (code, message) => {
    const error = toAppError(sqlError(code, message));
    expect(error.code).toBe('SERVICE_UNAVAILABLE');
    expect(error.retryAfterSeconds).toBe(2);
  });

  it('turns a refused connection (also when it is the cause) into 503', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
    expect(toAppError(refused).code).toBe('SERVICE_UNAVAILABLE');
    expect(toAppError(new Error('query failed', { cause: refused })).code).toBe('SERVICE_UNAVAILABLE');
  });

  it('keeps a programming error or a constraint violation a 500', () => {
    expect(toAppError(new TypeError("cannot read properties of undefined (reading 'id')")).code).toBe('INTERNAL');
    expect(toAppError(sqlError('23505', 'duplicate key value violates unique constraint')).code).toBe('INTERNAL');
    expect(toAppError(sqlError('42P01', 'relation "documents" does not exist')).code).toBe('INTERNAL');
  });

  it('passes an AppError through unchanged', () => {
    const refusal = new AppError('FORBIDDEN', 'not yours');
    expect(toAppError(refusal)).toBe(refusal);
  });
});
