import ExcelJS from 'exceljs';
import type { ReportModel } from './report-model';
import { figureRecords, recordHeader } from './report-model';

/** The figures (long format) and the two annex tables, one sheet each. */
export async function renderReportXlsx(model: ReportModel): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  workbook.creator = 'vanthu';
  const figures = workbook.addWorksheet('Số liệu');
  figures.addRow(recordHeader).font = { bold: true };
  for (const record of figureRecords(model)) figures.addRow(record);

  const annex1 = workbook.addWorksheet('Phụ lục 1');
  annex1.addRow(['TT', 'Cơ quan', 'Văn bản đi phát hành', 'Ký số cơ quan', 'Ký số lãnh đạo']).font = { bold: true };
  model.rows.forEach((row, index) =>
    annex1.addRow([
      index + 1,
      row.agencyCode,
      row.documents.issued,
      row.figures.organisationSigned.numerator,
      row.figures.personallySigned.numerator,
    ]),
  );
  const annex2 = workbook.addWorksheet('Phụ lục 2');
  annex2.addRow([
    'TT',
    'Cơ quan',
    'Có chứng thư số',
    'Đã kích hoạt',
    'Lãnh đạo cơ quan (đã kích hoạt)',
    'Lãnh đạo cấp phòng (đã kích hoạt)',
  ]).font = { bold: true };
  model.rows.forEach((row, index) =>
    annex2.addRow([
      index + 1,
      row.agencyCode,
      row.certificates.holders,
      row.certificates.activated,
      row.certificates.approvalSignersActivated,
      row.certificates.initialSignersActivated,
    ]),
  );
  return Buffer.from(await workbook.xlsx.writeBuffer());
}
