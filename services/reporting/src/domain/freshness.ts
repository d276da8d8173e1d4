import type { Tx } from '@vanthu/platform';
import type { WatermarkSource } from '../adapters/kafka-watermarks';
import {
  countDeadLetters,
  deadLetterPositions,
  partitionPositions,
  sourcePositions,
} from '../repositories/projection-repository';
import type { Freshness, FreshnessReport } from '../schemas/compliance-report';

type Detail = Omit<FreshnessReport, 'asOf'>;
type Reason = Freshness['reasons'][number];

const key = (topic: string, partition: number): string => `${topic}#${partition}`;
const maxOffset = (a: string | undefined, b: string | undefined): string | undefined =>
  a === undefined ? b : b === undefined ? a : BigInt(a) >= BigInt(b) ? a : b;

/**
 * Up to which event each topic is counted: the inbox's last counted (or dead-lettered) offset per partition against
 * the broker's high-water mark and the group's committed offset as the watch last saw them. A report may be behind
 * when events were dead-lettered, when events wait unread, or when the broker has not answered lately (an outage:
 * what was published meanwhile is unknown).
 */
export async function readFreshnessDetail(
  tx: Tx,
  ctx: { consumer: string; watermarks?: WatermarkSource | undefined },
): Promise<Detail> {
  const sources = await sourcePositions(tx, ctx.consumer);
  const deadLetters = await countDeadLetters(tx, ctx.consumer);
  const counted = await partitionPositions(tx, ctx.consumer);
  const dead = await deadLetterPositions(tx, ctx.consumer);
  const snapshot = ctx.watermarks?.snapshot();

  const rows = new Map<string, Detail['partitions'][number]>();
  const row = (topic: string, partition: number): Detail['partitions'][number] => {
    const existing = rows.get(key(topic, partition));
    if (existing) return existing;
    const fresh = {
      topic,
      partition,
      lastCountedOffset: null,
      lastProcessedAt: null,
      committedOffset: null,
      highWatermark: null,
      lag: null,
    };
    rows.set(key(topic, partition), fresh);
    return fresh;
  };
  for (const p of counted)
    Object.assign(row(p.topic, p.partition), { lastCountedOffset: p.lastOffset, lastProcessedAt: p.lastProcessedAt });
  for (const p of dead) {
    const r = row(p.topic, p.partition);
    r.lastCountedOffset = maxOffset(r.lastCountedOffset ?? undefined, p.lastOffset) ?? null;
  }
  for (const w of snapshot?.partitions ?? []) {
    const r = row(w.topic, w.partition);
    r.committedOffset = w.committed;
    r.highWatermark = w.high;
    // The position is the next offset to read: past the last counted event, or the group's commit, or the start.
    const afterCounted = r.lastCountedOffset === null ? undefined : (BigInt(r.lastCountedOffset) + 1n).toString();
    const position = maxOffset(maxOffset(afterCounted, w.committed ?? undefined), w.low) as string;
    const lag = BigInt(w.high) - BigInt(position);
    r.lag = Number(lag > 0n ? lag : 0n);
  }
  const partitions = [...rows.values()].sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition);
  const known = snapshot !== undefined && snapshot.fetchedAt !== null;
  const lag = known ? partitions.reduce((sum, p) => sum + (p.lag ?? 0), 0) : null;
  const lagOf = (topic: string): number | null =>
    known ? partitions.filter((p) => p.topic === topic).reduce((sum, p) => sum + (p.lag ?? 0), 0) : null;

  const reasons: Reason[] = [];
  if (deadLetters > 0) reasons.push('dead-letters');
  if (lag !== null && lag > 0) reasons.push('consumer-lag');
  if (snapshot === undefined) reasons.push('kafka-unknown');
  else if (!snapshot.reachable) reasons.push('kafka-unreachable');
  return {
    sources: sources.map((source) => ({ ...source, lag: lagOf(source.topic) })),
    deadLetters,
    // An unconfigured watch (a test app without a broker) cannot tell; it is not evidence of being behind.
    mayBeBehind: reasons.some((reason) => reason !== 'kafka-unknown'),
    lag,
    kafka: {
      reachable: snapshot ? snapshot.reachable : null,
      checkedAt: snapshot?.fetchedAt ?? null,
      error: snapshot?.error ?? null,
    },
    reasons,
    partitions,
  };
}

/** The freshness every report carries (the per-partition detail is GET /v1/reports/freshness). */
export async function readFreshness(
  tx: Tx,
  ctx: { consumer: string; watermarks?: WatermarkSource | undefined },
): Promise<Freshness> {
  const { partitions: _p, ...freshness } = await readFreshnessDetail(tx, ctx);
  return freshness;
}
