import { ConcurrencyLimiter } from '../src/adapters/concurrency-limiter';

const deferred = () => {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
};

describe('ConcurrencyLimiter', () => {
  it('runs at most `concurrency` tasks, queues up to `maxQueued` in order, and refuses the rest with 503', async () => {
    const limiter = new ConcurrencyLimiter({ concurrency: 2, maxQueued: 1, retryAfterSeconds: 7, what: 'tasks' });
    const gates = [deferred(), deferred(), deferred()];
    const started: number[] = [];
    const runs = gates.map((gate, i) =>
      limiter.run(async () => {
        started.push(i);
        await gate.promise;
        return i;
      }),
    );
    await expect(limiter.run(async () => 99)).rejects.toMatchObject({
      code: 'SERVICE_UNAVAILABLE',
      status: 503,
      retryAfterSeconds: 7,
    });
    await Promise.resolve();
    expect(started).toEqual([0, 1]);
    // What the metrics read: two running, one waiting, two at once at most.
    expect(limiter.load()).toEqual({ running: 2, waiting: 1, capacity: 2 });
    gates[0]!.resolve();
    await runs[0];
    await new Promise((r) => setImmediate(r));
    expect(started).toEqual([0, 1, 2]);
    gates[1]!.resolve();
    gates[2]!.resolve();
    expect(await Promise.all(runs)).toEqual([0, 1, 2]);
    expect(limiter.load()).toEqual({ running: 0, waiting: 0, capacity: 2 });
  });

  it('gives up on a waiter after maxWaitMs, and a failing task frees its slot', async () => {
    const limiter = new ConcurrencyLimiter({
      concurrency: 1,
      maxQueued: 5,
      maxWaitMs: 20,
      retryAfterSeconds: 1,
      what: 'tasks',
    });
    const gate = deferred();
    const holder = limiter.run(() => gate.promise);
    await expect(limiter.run(async () => 'late')).rejects.toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
    gate.resolve();
    await holder;
    await expect(limiter.run(async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await limiter.run(async () => 'free')).toBe('free');
  });
});
