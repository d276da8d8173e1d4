import type { AgencyComplianceRow, Figure } from '../schemas/compliance-report';

/** What an export shows: the month's agencies (one, or the province ranked), totals and the trend. */
export type ReportModel = {
  month: string;
  scope: 'agency' | 'province';
  definitionsVersion: string;
  rows: AgencyComplianceRow[];
  /** Province totals (province scope) or the agency itself. */
  total: { label: string; figures: Record<string, Figure> };
  trend: { month: string; signed: Figure; personallySigned: Figure }[];
  generatedAt: string;
};

/** Percentages as Vietnamese documents print them: two decimals, decimal comma (3,71%). */
export function vietnamesePercent(figure: Figure): string {
  return figure.percent === null ? '—' : `${figure.percent.toFixed(2).replace('.', ',')}%`;
}

export const figureColumns = [
  'fullyElectronic',
  'signed',
  'personallySigned',
  'organisationSigned',
  'bothSignatures',
  'digitisedOnly',
  'exchangedThroughHub',
  'incomingOnTime',
] as const;

/** One row per agency and figure: the long format both CSV and XLSX carry, easy to pivot. */
export function figureRecords(model: ReportModel): (string | number | null)[][] {
  const records: (string | number | null)[][] = [];
  const push = (agency: string, figures: Record<string, Figure>) => {
    for (const [name, figure] of Object.entries(figures))
      records.push([agency, name, figure.label, figure.numerator, figure.denominator, figure.percent]);
  };
  for (const row of model.rows) push(row.agencyCode, row.figures);
  if (model.scope === 'province') push('province', model.total.figures);
  return records;
}

export const recordHeader = ['agency_code', 'figure', 'label', 'numerator', 'denominator', 'percent'];
