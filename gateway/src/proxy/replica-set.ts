import { BalancedPool, Pool } from 'undici';
import type { Dispatcher } from 'undici';
import type { FastifyBaseLogger } from 'fastify';

export type ReplicaPoolOptions = ConstructorParameters<typeof Pool>[1];

/** How often each replica's liveness is asked, and how long an answer may take. */
const probeIntervalMs = 1_000;
const probeTimeoutMs = 1_000;

/**
 * The connections to one service. A single replica is a plain undici pool, as before. Several are an undici
 * BalancedPool over the live ones: each replica's `/health/live` is asked every second, a replica that does not
 * answer is taken out of the balance (so new requests stop reaching it) and put back once it answers again. The last
 * live replica is never taken out: with none left, requests fail as they would anyway (503 with Retry-After).
 */
export class ReplicaSet {
  readonly dispatcher: Dispatcher;
  private readonly live: Set<string>;
  private timer: NodeJS.Timeout | undefined;
  private probing = false;

  constructor(
    private readonly service: string,
    private readonly replicas: string[],
    options: ReplicaPoolOptions,
    private readonly logger: FastifyBaseLogger,
  ) {
    this.live = new Set(replicas);
    this.dispatcher =
      replicas.length === 1 ? new Pool(replicas[0] as string, options) : new BalancedPool(replicas, options);
  }

  /** Starts the liveness probes (only when there is more than one replica to choose from). */
  start(): void {
    if (this.replicas.length < 2 || this.timer) return;
    this.timer = setInterval(() => void this.probe(), probeIntervalMs);
    this.timer.unref();
  }

  /** The replicas requests are balanced over now. */
  liveReplicas(): string[] {
    return this.replicas.filter((replica) => this.live.has(replica));
  }

  async probe(): Promise<void> {
    if (this.probing) return;
    this.probing = true;
    try {
      const answers = await Promise.all(
        this.replicas.map(async (replica) => [replica, await isLive(replica)] as const),
      );
      const pool = this.dispatcher as BalancedPool;
      for (const [replica, alive] of answers) {
        if (alive && !this.live.has(replica)) {
          pool.addUpstream(replica);
          this.live.add(replica);
          this.logger.info({ service: this.service, replica }, 'replica answers again; back in the balance');
        } else if (!alive && this.live.has(replica) && this.live.size > 1) {
          pool.removeUpstream(replica);
          this.live.delete(replica);
          this.logger.warn({ service: this.service, replica }, 'replica does not answer; taken out of the balance');
        }
      }
    } finally {
      this.probing = false;
    }
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.dispatcher.close();
  }
}

async function isLive(replica: string): Promise<boolean> {
  try {
    const response = await fetch(`${replica}/health/live`, { signal: AbortSignal.timeout(probeTimeoutMs) });
    await response.body?.cancel();
    return response.ok;
  } catch {
    return false;
  }
}
