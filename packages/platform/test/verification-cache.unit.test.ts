import { cacheVerifications } from '../src/verification-cache';

describe('verified tokens are reused, never past their expiry', () => {
  afterEach(() => jest.useRealTimers());

  it('verifies once per minute, again after the minute, and never caches a failure', () => {
    jest.useFakeTimers({ now: 1_000_000 });
    const verify = jest.fn((token: string) => {
      if (token === 'bad') throw new Error('invalid');
      return { sub: token, exp: 1_000_000 / 1000 + 3600 };
    });
    const cached = cacheVerifications(verify, { clockToleranceMs: 5_000 });
    expect(cached('a').sub).toBe('a');
    expect(cached('a').sub).toBe('a');
    expect(verify).toHaveBeenCalledTimes(1);
    expect(() => cached('bad')).toThrow('invalid');
    expect(() => cached('bad')).toThrow('invalid');
    expect(verify).toHaveBeenCalledTimes(3);
    jest.setSystemTime(1_000_000 + 60_001);
    cached('a');
    expect(verify).toHaveBeenCalledTimes(4);
  });

  it('stops reusing a token at its expiry plus the tolerance, where a fresh verification would refuse it', () => {
    jest.useFakeTimers({ now: 2_000_000 });
    let expired = false;
    const verify = jest.fn(() => {
      if (expired) throw new Error('expired');
      return { exp: 2_000_000 / 1000 + 10 };
    });
    const cached = cacheVerifications(verify, { clockToleranceMs: 5_000 });
    cached('t');
    jest.setSystemTime(2_000_000 + 14_000);
    expect(() => cached('t')).not.toThrow();
    expired = true;
    jest.setSystemTime(2_000_000 + 15_001);
    expect(() => cached('t')).toThrow('expired');
  });

  it('caches what an async verifier resolves, and bounds the number of tokens kept', async () => {
    const verify = jest.fn(async (token: string) => ({ sub: token }));
    const cached = cacheVerifications(verify, { clockToleranceMs: 0, maxEntries: 2 });
    await cached('a');
    await cached('b');
    await cached('a');
    expect(verify).toHaveBeenCalledTimes(2);
    await cached('c'); // evicts the oldest, a
    await cached('a');
    expect(verify).toHaveBeenCalledTimes(4);
  });
});
