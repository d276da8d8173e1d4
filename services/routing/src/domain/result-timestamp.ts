/**
 * A timestamp of a use case's result as a Date. It is one when the use case has just run, and its JSON text when a
 * request repeated with the same Idempotency-Key replays the stored result (the platform keeps results as JSON); views
 * of results a keyed route returns read their timestamps through this, so both answers are the same.
 */
export const resultTimestamp = (value: Date | string): Date => (value instanceof Date ? value : new Date(value));

/** The same for a timestamp that may be absent. */
export const optionalResultTimestamp = (value: Date | string | null | undefined): Date | null =>
  value === null || value === undefined ? null : resultTimestamp(value);
