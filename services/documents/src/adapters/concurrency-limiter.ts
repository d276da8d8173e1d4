import { AppError } from '@vanthu/platform';
import type { WorkLoad } from '@vanthu/platform';

export type LimiterOptions = {
  concurrency: number;
  maxQueued: number;
  maxWaitMs?: number;
  retryAfterSeconds: number;
  what: string;
};

/**
 * Runs at most `concurrency` tasks at once; up to `maxQueued` more wait their turn (at most
 * `maxWaitMs`), and beyond that a request is refused with 503 and Retry-After instead of piling
 * up where it would fail less clearly (a database pool's connect timeout, a machine's CPUs).
 */
export class ConcurrencyLimiter {
  private running = 0;
  private readonly waiting: { resolve: () => void; timer?: NodeJS.Timeout }[] = [];

  constructor(private readonly options: LimiterOptions) {}

  async run<T>(task: () => Promise<T>): Promise<T> {
    await this.acquire();
    try {
      return await task();
    } finally {
      this.release();
    }
  }

  /** For the metrics: what runs, what waits, and the bound. */
  load(): WorkLoad {
    return { running: this.running, waiting: this.waiting.length, capacity: this.options.concurrency };
  }

  private refuse(): AppError {
    return new AppError('SERVICE_UNAVAILABLE', `too many ${this.options.what} at once; retry shortly`, {
      retryAfterSeconds: this.options.retryAfterSeconds,
    });
  }

  private acquire(): Promise<void> {
    if (this.running < this.options.concurrency) {
      this.running += 1;
      return Promise.resolve();
    }
    if (this.waiting.length >= this.options.maxQueued) return Promise.reject(this.refuse());
    return new Promise((resolve, reject) => {
      const entry: { resolve: () => void; timer?: NodeJS.Timeout } = { resolve };
      if (this.options.maxWaitMs !== undefined) {
        entry.timer = setTimeout(() => {
          const index = this.waiting.indexOf(entry);
          if (index >= 0) this.waiting.splice(index, 1);
          reject(this.refuse());
        }, this.options.maxWaitMs);
      }
      this.waiting.push(entry);
    });
  }

  private release(): void {
    const next = this.waiting.shift();
    if (next) {
      clearTimeout(next.timer);
      next.resolve();
    } else {
      this.running -= 1;
    }
  }
}
