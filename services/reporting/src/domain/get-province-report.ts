import { requireRole } from '@vanthu/platform';
import { monthlyAgencyCounts } from '../repositories/compliance-repository';
import type { MonthlyAgencyCounts } from '../repositories/compliance-repository';
import type { ProvinceReport } from '../schemas/province-report';
import { computeFigures } from './definitions';
import { agencyReport } from './get-compliance-report';
import { readFreshness } from './freshness';
import type { ReportingContext } from './get-compliance-report';
import { reportableMonth } from './scope';

export type GetProvinceReportInput = { month: string };

/** Province-wide counts are the sums of the agencies' counts; the shares are recomputed from them. */
export function sumCounts(rows: MonthlyAgencyCounts[], agencyCode: string): MonthlyAgencyCounts {
  const total: MonthlyAgencyCounts = {
    agencyCode,
    created: { outgoing: 0, incoming: 0, internal: 0 },
    issued: 0,
    issuedSigned: 0,
    issuedPersonal: 0,
    issuedOrganisation: 0,
    issuedBoth: 0,
    issuedInitialled: 0,
    issuedValidated: 0,
    issuedElectronic: 0,
    issuedViaHub: 0,
    incoming: 0,
    incomingElectronic: 0,
    digitised: 0,
    incomingHandlingDue: 0,
    incomingHandledOnTime: 0,
    cooperationDue: 0,
    cooperatedOnTime: 0,
    consultationAnswers: 0,
    consultationAnswersOnTime: 0,
    certificateHolders: 0,
    activatedHolders: 0,
    approvalSignersActivated: 0,
    initialSignersActivated: 0,
  };
  for (const row of rows) {
    for (const direction of ['outgoing', 'incoming', 'internal'] as const)
      total.created[direction] += row.created[direction];
    for (const key of Object.keys(total) as (keyof MonthlyAgencyCounts)[]) {
      const value = row[key];
      if (typeof value === 'number') (total[key] as number) += value;
    }
  }
  return total;
}

const byRatioDesc = (a: number | null, b: number | null): number => (b ?? -1) - (a ?? -1);

/**
 * Every agency of the province side by side for the Department of Science and Technology (Sở
 * KH&CN tổng hợp, báo cáo Chủ tịch UBND), ranked by the share processed fully electronically, then
 * by the share signed personally, with the thresholds marked and the two annex tables the
 * province's directives attach (Phụ lục 1: ký số cơ quan / ký số lãnh đạo; Phụ lục 2: chứng thư số).
 */
export async function getProvinceReport(input: GetProvinceReportInput, ctx: ReportingContext): Promise<ProvinceReport> {
  // The province side by side is the collector's (scope.ts), not an agency administrator's.
  requireRole(ctx.identity, 'report-collector');
  const range = reportableMonth(input.month, ctx.clock);
  const { result } = await ctx.runInTransaction(async (tx) => ({
    rows: await monthlyAgencyCounts(tx, {
      from: range.from,
      to: range.to,
      agencyCode: null,
      asOf: ctx.clock().toISOString(),
    }),
    freshness: await readFreshness(tx, ctx),
  }));
  const agencies = result.rows
    .map((row) => ({ row, figures: computeFigures(row) }))
    .sort(
      (a, b) =>
        byRatioDesc(a.figures.fullyElectronic.ratio, b.figures.fullyElectronic.ratio) ||
        byRatioDesc(a.figures.personallySigned.ratio, b.figures.personallySigned.ratio) ||
        a.row.agencyCode.localeCompare(b.row.agencyCode),
    );
  const total = sumCounts(result.rows, 'province');
  const totalFigures = computeFigures(total);
  return {
    month: range.month,
    period: { from: range.from, to: range.to },
    definitionsVersion: agencyReport(total, range).definitionsVersion,
    province: {
      agencies: result.rows.length,
      documents: {
        total: total.created.outgoing + total.created.incoming + total.created.internal,
        ...total.created,
        issued: total.issued,
        digitised: total.digitised,
      },
      figures: totalFigures,
    },
    agencies: agencies.map(({ row }, index) => ({ rank: index + 1, ...agencyReport(row, range) })),
    annex1: agencies.map(({ row }, index) => ({
      order: index + 1,
      agencyCode: row.agencyCode,
      issued: row.issued,
      organisationSigned: row.issuedOrganisation > 0,
      organisationSignedCount: row.issuedOrganisation,
      leaderSigned: row.issuedPersonal > 0,
      leaderSignedCount: row.issuedPersonal,
    })),
    annex2: agencies.map(({ row }, index) => ({
      order: index + 1,
      agencyCode: row.agencyCode,
      certificateHolders: row.certificateHolders,
      activated: row.activatedHolders,
      agencyLeadersActivated: row.approvalSignersActivated,
      unitLeadersActivated: row.initialSignersActivated,
    })),
    freshness: result.freshness,
    generatedAt: ctx.clock().toISOString(),
  };
}
