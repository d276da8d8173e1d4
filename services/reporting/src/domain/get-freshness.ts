import type { FreshnessReport } from '../schemas/compliance-report';
import { readFreshnessDetail } from './freshness';
import type { ReportingContext } from './get-compliance-report';

export type GetFreshnessInput = Record<string, never>;

/**
 * How fresh the reports are (issue 14 "Freshness"): per source topic and partition, the last event counted against
 * the broker's high-water mark, the lag, and whether a report made now may be behind (dead letters, unread events,
 * the broker unreachable). The same for every member: it names topics and offsets, no agency's data.
 */
export async function getFreshness(_input: GetFreshnessInput, ctx: ReportingContext): Promise<FreshnessReport> {
  const { result } = await ctx.runInTransaction((tx) => readFreshnessDetail(tx, ctx));
  return { ...result, asOf: ctx.clock().toISOString() };
}
