import type { ReportModel } from './report-model';
import { figureRecords, recordHeader } from './report-model';

const cell = (value: string | number | null): string => {
  if (value === null) return '';
  const text = String(value);
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
};

/** RFC 4180 CSV in UTF-8 with a byte-order mark, so spreadsheet programs read the Vietnamese labels. */
export function renderReportCsv(model: ReportModel): Buffer {
  const lines = [recordHeader, ...figureRecords(model)].map((row) => row.map(cell).join(','));
  return Buffer.from(`\uFEFF${lines.join('\r\n')}\r\n`, 'utf8');
}
