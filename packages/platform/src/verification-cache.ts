// A token's signature is checked once, not on every request that carries it: an ES256 verification costs about
// 0.2 ms here, which was over a third of a small request's time in a service and again in the gateway (the gateway
// reuses one assertion per token for a minute, so services see the same assertion again and again). A successful
// verification is reused until the earlier of a minute after it and the token's own expiry plus the clock tolerance,
// so a cached token never outlives what a fresh verification would accept; failures are never cached. The minute
// bounds how long a token keeps passing after its issuer's key is withdrawn.

export type VerificationCacheOptions = { maxEntries?: number; maxAgeMs?: number; clockToleranceMs: number };

type Entry<T> = { value: T; until: number };

/** Wraps a verifier (sync or async) so that each token is verified at most once per `maxAgeMs`. */
export function cacheVerifications<T extends Record<string, unknown>, R extends T | Promise<T>>(
  verify: (token: string) => R,
  options: VerificationCacheOptions,
): (token: string) => R {
  const maxEntries = options.maxEntries ?? 10_000;
  const maxAgeMs = options.maxAgeMs ?? 60_000;
  const entries = new Map<string, Entry<T>>();
  const remember = (token: string, value: T, now: number): T => {
    const exp = typeof value.exp === 'number' ? value.exp * 1000 + options.clockToleranceMs : Infinity;
    if (entries.size >= maxEntries) entries.delete(entries.keys().next().value as string);
    entries.set(token, { value, until: Math.min(now + maxAgeMs, exp) });
    return value;
  };
  return (token) => {
    const now = Date.now();
    const hit = entries.get(token);
    if (hit && hit.until > now) return hit.value as R;
    if (hit) entries.delete(token);
    const result = verify(token);
    if (result instanceof Promise) return result.then((value: T) => remember(token, value, now)) as R;
    return remember(token, result as T, now) as R;
  };
}
