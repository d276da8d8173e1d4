import { monthlyAgencyCounts } from '../repositories/compliance-repository';
import { renderReportCsv } from '../rendering/report-csv';
import type { ReportModel } from '../rendering/report-model';
import { renderReportPdf } from '../rendering/report-pdf';
import type { ReportFonts } from '../rendering/report-pdf';
import { renderReportXlsx } from '../rendering/report-xlsx';
import { computeFigures } from './definitions';
import { getComplianceReport } from './get-compliance-report';
import type { ReportingContext } from './get-compliance-report';
import { getProvinceReport, sumCounts } from './get-province-report';
import { monthRange } from './month';
import { seesProvince } from './scope';

export type ExportFormat = 'csv' | 'xlsx' | 'pdf';
export type ExportReportInput = { month: string; agency?: string; format: ExportFormat; trendMonths?: number };
export type ExportContext = ReportingContext & { fonts: ReportFonts };
export type ReportExport = { bytes: Buffer; mediaType: string; fileName: string };

const mediaTypes: Record<ExportFormat, string> = {
  csv: 'text/csv; charset=utf-8',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  pdf: 'application/pdf',
};

function previousMonths(month: string, count: number): string[] {
  const [year, m] = month.split('-').map(Number) as [number, number];
  const months: string[] = [];
  for (let i = count - 1; i >= 0; i -= 1) {
    const index = year * 12 + (m - 1) - i;
    months.push(`${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, '0')}`);
  }
  return months;
}

/**
 * The monthly report as a file: CSV and XLSX carry every figure with numerator and denominator, the
 * PDF is the Vietnamese report with its charts. The collector exports the province (or one agency),
 * an agency its own.
 */
export async function exportReport(input: ExportReportInput, ctx: ExportContext): Promise<ReportExport> {
  const province = input.agency === undefined && seesProvince(ctx.identity);
  const base = province
    ? await getProvinceReport({ month: input.month }, ctx).then((report) => ({
        rows: report.agencies.map(({ rank: _rank, ...row }) => row),
        total: { label: 'Toàn tỉnh', figures: report.province.figures },
        definitionsVersion: report.definitionsVersion,
      }))
    : await getComplianceReport({ month: input.month, ...(input.agency ? { agency: input.agency } : {}) }, ctx).then(
        ({ freshness: _f, generatedAt: _g, ...row }) => ({
          rows: [row],
          total: { label: row.agencyCode, figures: row.figures },
          definitionsVersion: row.definitionsVersion,
        }),
      );
  const agencyCode = province ? null : (base.rows[0]?.agencyCode ?? null);
  const { result: trend } = await ctx.runInTransaction(async (tx) => {
    const points = [];
    for (const month of previousMonths(input.month, input.trendMonths ?? 6)) {
      const range = monthRange(month);
      const rows = await monthlyAgencyCounts(tx, {
        from: range.from,
        to: range.to,
        agencyCode,
        asOf: ctx.clock().toISOString(),
      });
      const figures = computeFigures(sumCounts(rows, agencyCode ?? 'province'));
      points.push({ month, signed: figures.signed, personallySigned: figures.personallySigned });
    }
    return points;
  });
  const model: ReportModel = {
    month: input.month,
    scope: province ? 'province' : 'agency',
    definitionsVersion: base.definitionsVersion,
    rows: base.rows,
    total: base.total,
    trend,
    generatedAt: ctx.clock().toISOString(),
  };
  const bytes =
    input.format === 'csv'
      ? renderReportCsv(model)
      : input.format === 'xlsx'
        ? await renderReportXlsx(model)
        : await renderReportPdf(model, ctx.fonts);
  const name = `bao-cao-ky-so-${province ? 'toan-tinh' : agencyCode}-${input.month}.${input.format}`;
  return { bytes, mediaType: mediaTypes[input.format], fileName: name };
}
