import type { UseCaseContext } from '@vanthu/platform';
import { monthlyAgencyCounts } from '../repositories/compliance-repository';
import type { MonthlyAgencyCounts } from '../repositories/compliance-repository';
import type { AgencyComplianceRow, ComplianceReport } from '../schemas/compliance-report';
import type { WatermarkSource } from '../adapters/kafka-watermarks';
import { readFreshness } from './freshness';
import { checkThresholds, complianceDefinitionsV1, computeFigures } from './definitions';
import type { MonthRange } from './month';
import { agencyInScope, reportableMonth } from './scope';

export type ReportingContext = UseCaseContext & { consumer: string; watermarks?: WatermarkSource | undefined };
export type GetComplianceReportInput = { month: string; agency?: string };

export function agencyReport(counts: MonthlyAgencyCounts, range: MonthRange): AgencyComplianceRow {
  const figures = computeFigures(counts);
  return {
    agencyCode: counts.agencyCode,
    month: range.month,
    period: { from: range.from, to: range.to },
    definitionsVersion: complianceDefinitionsV1.version,
    documents: {
      total: counts.created.outgoing + counts.created.incoming + counts.created.internal,
      ...counts.created,
      issued: counts.issued,
      digitised: counts.digitised,
    },
    figures,
    thresholds: checkThresholds(figures, range.to).map((t) => ({
      figure: t.figure,
      minimum: t.minimum,
      from: t.from,
      source: t.source,
      met: t.met,
    })),
    certificates: {
      holders: counts.certificateHolders,
      activated: counts.activatedHolders,
      approvalSignersActivated: counts.approvalSignersActivated,
      initialSignersActivated: counts.initialSignersActivated,
    },
  };
}

/**
 * The monthly compliance report of one agency (báo cáo hằng tháng gửi Sở Khoa học và Công nghệ).
 * An agency reads its own; report collectors and administrators read any agency's.
 */
export async function getComplianceReport(
  input: GetComplianceReportInput,
  ctx: ReportingContext,
): Promise<ComplianceReport> {
  const agencyCode = agencyInScope(ctx.identity, input.agency);
  const range = reportableMonth(input.month, ctx.clock);
  const { result } = await ctx.runInTransaction(async (tx) => {
    const [counts] = await monthlyAgencyCounts(tx, {
      from: range.from,
      to: range.to,
      agencyCode,
      asOf: ctx.clock().toISOString(),
    });
    return { counts, freshness: await readFreshness(tx, ctx) };
  });
  // monthlyAgencyCounts always returns the asked agency, with zeros when it has no facts.
  const counts = result.counts as MonthlyAgencyCounts;
  return {
    ...agencyReport(counts, range),
    freshness: result.freshness,
    generatedAt: ctx.clock().toISOString(),
  };
}
