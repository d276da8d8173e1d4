import { AppError, errorCodes, toProblem } from '../src/errors';

describe('AppError → problem+json', () => {
  it('maps every code to one HTTP status and a stable type URI', () => {
    for (const code of Object.keys(errorCodes) as (keyof typeof errorCodes)[]) {
      const problem = toProblem(new AppError(code, 'detail text'), 'req-12345678');
      expect(problem.status).toBe(errorCodes[code]);
      expect(problem.code).toBe(code);
      expect(problem.type).toMatch(/^https:\/\/vanthu\.dev\/problems\/[a-z-]+$/);
      expect(problem.requestId).toBe('req-12345678');
    }
  });

  it('never sends the message of a server error to the client', () => {
    const problem = toProblem(new AppError('INTERNAL', 'connection to 10.0.0.5:5432 refused, password=hunter2'));
    expect(JSON.stringify(problem)).not.toContain('hunter2');
    expect(problem.detail).toBeUndefined();
    expect(problem.title).toBe('Internal error');
  });

  it('keeps client-error details and field errors', () => {
    const problem = toProblem(
      new AppError('VALIDATION_FAILED', 'subject too long', {
        errors: [{ field: 'metadata.subject', message: 'too long' }],
      }),
    );
    expect(problem.detail).toBe('subject too long');
    expect(problem.errors).toEqual([{ field: 'metadata.subject', message: 'too long' }]);
  });
});
