import { AppError } from '@vanthu/platform';
import type { WorkLoad } from '@vanthu/platform';

export type GroupCommitOptions<M, R> = {
  /** Commits the members of one group, in one transaction; returns one outcome per member, in order. */
  commit: (key: string, members: M[]) => Promise<R[]>;
  /** The most members one group takes. */
  maxGroup: number;
  /** Members waiting beyond those committing; one more is refused with 503 and Retry-After. */
  maxQueued: number;
  retryAfterSeconds: number;
  /** Two members with the same identity never go in one group (the later waits for the next). */
  identity: (member: M) => string;
  what: string;
};

type Entry<M, R> = { member: M; resolve: (outcome: R) => void; reject: (error: unknown) => void };

/**
 * Group commit: work that must run one at a time per key (the registrations of one register-year, which serialise
 * on its counter row) is gathered while the group before it commits, and the gathered members commit together in one
 * transaction. Nothing waits on a timer: a member arriving at an idle key commits at once, alone; under a burst each
 * group takes everyone who arrived while the previous one was committing, so the counter row is locked once per
 * group instead of once per member. Keys are independent and commit in parallel.
 */
export class GroupCommit<M, R> {
  private readonly keys = new Map<string, { waiting: Entry<M, R>[]; committing: number }>();
  private waiting = 0;
  private committing = 0;

  constructor(private readonly options: GroupCommitOptions<M, R>) {}

  /** The member's outcome once its group committed (or failed: then every member of the group gets the error). */
  submit(key: string, member: M): Promise<R> {
    if (this.waiting >= this.options.maxQueued) {
      return Promise.reject(
        new AppError('SERVICE_UNAVAILABLE', `too many ${this.options.what} at once; retry shortly`, {
          retryAfterSeconds: this.options.retryAfterSeconds,
        }),
      );
    }
    return new Promise<R>((resolve, reject) => {
      let state = this.keys.get(key);
      if (!state) {
        state = { waiting: [], committing: 0 };
        this.keys.set(key, state);
      }
      state.waiting.push({ member, resolve, reject });
      this.waiting += 1;
      if (state.committing === 0) void this.drain(key);
    });
  }

  /** For the metrics: members committing, members waiting for a group, and the bound of the wait. */
  load(): WorkLoad {
    return { running: this.committing, waiting: this.waiting, capacity: this.options.maxQueued };
  }

  private async drain(key: string): Promise<void> {
    const state = this.keys.get(key);
    if (!state) return;
    while (state.waiting.length > 0) {
      const group: Entry<M, R>[] = [];
      const identities = new Set<string>();
      const later: Entry<M, R>[] = [];
      for (const entry of state.waiting) {
        const identity = this.options.identity(entry.member);
        if (group.length < this.options.maxGroup && !identities.has(identity)) {
          identities.add(identity);
          group.push(entry);
        } else later.push(entry);
      }
      state.waiting = later;
      this.waiting -= group.length;
      this.committing += group.length;
      state.committing = group.length;
      try {
        const outcomes = await this.options.commit(
          key,
          group.map((entry) => entry.member),
        );
        group.forEach((entry, i) => entry.resolve(outcomes[i] as R));
      } catch (error) {
        for (const entry of group) entry.reject(error);
      } finally {
        this.committing -= group.length;
        state.committing = 0;
      }
    }
    this.keys.delete(key);
  }
}
