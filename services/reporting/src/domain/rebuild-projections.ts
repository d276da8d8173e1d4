import { InboxConsumer } from '@vanthu/platform';
import type { EventHandler, Kafka, Pool, Tx, UseCaseContext, WriteBatch } from '@vanthu/platform';
import { emptyProjections } from '../repositories/projection-repository';

export type RebuildContext = UseCaseContext & {
  kafka: Kafka;
  pool: Pool;
  consumer: string;
};
export type RebuildProjectionsInput = {
  topics: string[];
  handlers: Record<string, EventHandler>;
  /** Events per transaction, as the live consumer projects them. */
  batchSize?: number;
  /** The live consumer's write batch, which the inbox gives the handlers and sends before each commit. */
  writeBatch?: (tx: Tx) => WriteBatch;
  timeoutMs?: number;
};
export type RebuildOutcome = { replayedUpTo: { topic: string; partition: number; offset: string }[]; tookMs: number };

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Empties every projection and replays the topics from offset 0 under the same inbox scope with a
 * fresh Kafka group, until every partition is read up to where it ended when the rebuild began.
 * The live consumer may keep running: an event it projects after the tables were emptied is in
 * the inbox, so the replay skips it, and every writer is an idempotent upsert.
 */
export async function rebuildProjections(input: RebuildProjectionsInput, ctx: RebuildContext): Promise<RebuildOutcome> {
  const started = ctx.clock().getTime();
  const admin = ctx.kafka.admin();
  await admin.connect();
  const groupId = `${ctx.consumer}.rebuild.${started}`;
  const replay = new InboxConsumer({
    kafka: ctx.kafka,
    pool: ctx.pool,
    logger: ctx.logger,
    consumer: ctx.consumer,
    groupId,
    topics: input.topics,
    handlers: input.handlers,
    ...(input.batchSize ? { batchSize: input.batchSize } : {}),
    ...(input.writeBatch ? { writeBatch: input.writeBatch } : {}),
  });
  try {
    const ends = (
      await Promise.all(
        input.topics.map(async (topic) =>
          (await admin.fetchTopicOffsets(topic)).map((p) => ({
            topic,
            partition: p.partition,
            high: p.high,
            low: p.low,
          })),
        ),
      )
    ).flat();
    await ctx.runInTransaction((tx) => emptyProjections(tx, ctx.consumer));
    await replay.start();
    const deadline = Date.now() + (input.timeoutMs ?? 600_000);
    for (;;) {
      const committed = await admin.fetchOffsets({ groupId, topics: input.topics });
      const done = ends.every((end) => {
        if (BigInt(end.high) <= BigInt(end.low)) return true;
        const offset = committed
          .find((t) => t.topic === end.topic)
          ?.partitions.find((p) => p.partition === end.partition)?.offset;
        return offset !== undefined && BigInt(offset) >= BigInt(end.high);
      });
      if (done) break;
      if (Date.now() > deadline) throw new Error('rebuild did not reach the end of the topics in time');
      await sleep(200);
    }
    ctx.logger.info({ groupId, partitions: ends.length }, 'projections rebuilt from offset 0');
    return {
      replayedUpTo: ends.map((end) => ({ topic: end.topic, partition: end.partition, offset: end.high })),
      tookMs: ctx.clock().getTime() - started,
    };
  } finally {
    await replay.stop();
    await admin.deleteGroups([groupId]).catch(() => undefined);
    await admin.disconnect();
  }
}
