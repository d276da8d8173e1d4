import { retryAfterSeconds } from './problem';

export type RetryOptions = {
  /** Further attempts after the first (default 3). 0 turns retries off. */
  retries?: number;
  /** First back-off when the server gave no Retry-After (default 200 ms; doubles, with jitter). */
  baseDelayMs?: number;
  /** Never wait longer than this for one attempt, whatever Retry-After says (default 30 s). */
  maxDelayMs?: number;
  /** Injected for tests of the schedule; defaults to setTimeout. */
  sleep?: (ms: number) => Promise<void>;
};

/** 503 (a dependency or queue is busy) and 429 (rate limited) are the statuses the API says to retry. */
const retryable = new Set([429, 503]);

const defaultSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** How long to wait before attempt `attempt` (1-based retry number): Retry-After if given, else back-off. */
export function retryDelayMs(response: Response, attempt: number, options: RetryOptions = {}): number {
  const max = options.maxDelayMs ?? 30_000;
  const told = retryAfterSeconds(response.headers.get('retry-after'));
  if (told !== undefined) return Math.min(max, told * 1000);
  const base = (options.baseDelayMs ?? 200) * 2 ** (attempt - 1);
  return Math.min(max, Math.round(base / 2 + Math.random() * (base / 2)));
}

/**
 * A fetch that sends a request again on 503 and 429, honouring Retry-After. Safe for mutating calls because
 * the client gives each of them an Idempotency-Key before this runs, so a repeat returns the first result.
 */
export function retryingFetch(
  base: (request: Request) => Promise<Response>,
  options: RetryOptions = {},
): (request: Request) => Promise<Response> {
  const retries = options.retries ?? 3;
  const sleep = options.sleep ?? defaultSleep;
  return async (request) => {
    for (let attempt = 0; ; attempt += 1) {
      // Each attempt sends a clone: a request body can be read once.
      const response = await base(attempt < retries ? request.clone() : request);
      if (!retryable.has(response.status) || attempt >= retries) return response;
      const wait = retryDelayMs(response, attempt + 1, options);
      await response.body?.cancel().catch(() => undefined);
      await sleep(wait);
    }
  };
}
