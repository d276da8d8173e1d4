import type { Kafka, Logger } from '@vanthu/platform';

export type PartitionWatermark = {
  topic: string;
  partition: number;
  /** Offset of the next event the broker will write (the high-water mark). */
  high: string;
  low: string;
  /** The consumer group's committed offset (the next event it will read), null when it has committed none. */
  committed: string | null;
};

export type WatermarkSnapshot = {
  /** When the broker last answered; null before the first answer. */
  fetchedAt: string | null;
  /** Whether the last answer is recent enough to trust (the broker answered within the staleness window). */
  reachable: boolean;
  error: string | null;
  partitions: PartitionWatermark[];
};

/** What the reports read: the last known high-water marks and the consumer's position. */
export type WatermarkSource = { snapshot: () => WatermarkSnapshot };

export type KafkaWatermarksOptions = {
  kafka: Kafka;
  logger: Logger;
  topics: string[];
  groupId: string;
  intervalMs: number;
  /** After this long without an answer the broker counts as unreachable (default three intervals). */
  staleAfterMs?: number;
  now?: () => number;
};

/**
 * Polls the broker's high-water marks and the consumer group's committed offsets, so a report can say how far
 * behind the topics it is without asking Kafka on the request's path (during an outage the request would wait for
 * the broker's timeouts). While the broker does not answer, the last known marks stay and `reachable` turns false.
 */
export class KafkaWatermarks implements WatermarkSource {
  private partitions: PartitionWatermark[] = [];
  private fetchedAt: number | null = null;
  private error: string | null = null;
  private timer: NodeJS.Timeout | undefined;
  private polling: Promise<void> | undefined;

  constructor(private readonly options: KafkaWatermarksOptions) {}

  private now(): number {
    return this.options.now ? this.options.now() : Date.now();
  }

  start(): void {
    const tick = (): void => {
      this.polling ??= this.poll().finally(() => {
        this.polling = undefined;
      });
    };
    tick();
    this.timer = setInterval(tick, this.options.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.polling;
  }

  /** One round trip to the broker; failures are kept as the snapshot's error, never thrown. */
  async poll(): Promise<void> {
    const admin = this.options.kafka.admin({ retry: { retries: 0 } });
    try {
      await admin.connect();
      const committed = await admin.fetchOffsets({ groupId: this.options.groupId, topics: this.options.topics });
      const partitions: PartitionWatermark[] = [];
      for (const topic of this.options.topics) {
        const group = committed.find((t) => t.topic === topic)?.partitions ?? [];
        for (const p of await admin.fetchTopicOffsets(topic)) {
          const offset = group.find((g) => g.partition === p.partition)?.offset;
          partitions.push({
            topic,
            partition: p.partition,
            high: p.high,
            low: p.low,
            committed: offset === undefined || BigInt(offset) < 0n ? null : offset,
          });
        }
      }
      this.partitions = partitions;
      this.fetchedAt = this.now();
      this.error = null;
    } catch (error) {
      this.error = (error as Error).message;
      this.options.logger.warn({ err: error }, 'Kafka high-water marks unavailable; reports say they may be behind');
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  }

  snapshot(): WatermarkSnapshot {
    const staleAfter = this.options.staleAfterMs ?? 3 * this.options.intervalMs;
    return {
      fetchedAt: this.fetchedAt === null ? null : new Date(this.fetchedAt).toISOString(),
      reachable: this.fetchedAt !== null && this.error === null && this.now() - this.fetchedAt <= staleAfter,
      error: this.error,
      partitions: this.partitions,
    };
  }
}
