// Standard Webhooks 1.0 "Retry schedule" recommends retrying with exponential backoff for about a day
// (immediately, 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h); issue 15 asks for at least 24 h. The delays
// below add up to 27 h 35 min 5 s after the first attempt.
export const retryDelaysMs: readonly number[] = [
  5_000,
  5 * 60_000,
  30 * 60_000,
  2 * 3_600_000,
  5 * 3_600_000,
  10 * 3_600_000,
  10 * 3_600_000,
];

/** Attempts a delivery gets before it is given up: the first one and one per delay. */
export const maxAttempts = retryDelaysMs.length + 1;

/**
 * When to try again after `attemptsMade` failed attempts, or undefined when the schedule is exhausted.
 * `jitter` in [0, 1) spreads retries of one outage by up to 10 % so they do not arrive together.
 */
export function nextAttemptAfter(attemptsMade: number, failedAt: Date, jitter = 0): Date | undefined {
  const delay = retryDelaysMs[attemptsMade - 1];
  if (delay === undefined) return undefined;
  return new Date(failedAt.getTime() + Math.round(delay * (1 + 0.1 * jitter)));
}
