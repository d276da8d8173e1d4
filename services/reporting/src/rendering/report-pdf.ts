import { PDFDocument, rgb } from 'pdf-lib';
import type { PDFPage, RGB } from 'pdf-lib';
import { drawCentred, drawTable, embedFontFiles, wrapText } from '@vanthu/pdf';
import type { TableFonts } from '@vanthu/pdf';
import { vietnamIsoDateTime } from '@vanthu/platform';
import type { Figure } from '../schemas/compliance-report';
import type { ReportModel } from './report-model';
import { vietnamesePercent } from './report-model';
import { figuresDigest } from './figures-digest';

export type ReportFonts = { regular: string; bold: string };

const pageWidth = 841.89; // A4 landscape
const pageHeight = 595.28;
const margin = 40;
const blue = rgb(0.12, 0.3, 0.7);
const red = rgb(0.8, 0.1, 0.1);
const grey = rgb(0.55, 0.55, 0.55);

const tableStyle = { margin, fontSize: 8.5, lineHeight: 10.5, cellPadding: 3 };

/** Vertical bars of one or two series against a 0–100 % axis, with an optional threshold line. */
function barChart(
  page: PDFPage,
  fonts: TableFonts,
  box: { x: number; y: number; width: number; height: number },
  title: string,
  categories: string[],
  series: { name: string; colour: RGB; values: (number | null)[] }[],
  threshold?: { value: number; label: string },
): void {
  drawCentred(page, title, fonts.bold, 11, box.y + box.height + 14, box.x, box.x + box.width);
  const plot = { x: box.x + 34, y: box.y + 40, width: box.width - 44, height: box.height - 50 };
  page.drawLine({ start: { x: plot.x, y: plot.y }, end: { x: plot.x, y: plot.y + plot.height }, thickness: 0.7 });
  page.drawLine({ start: { x: plot.x, y: plot.y }, end: { x: plot.x + plot.width, y: plot.y }, thickness: 0.7 });
  for (const tick of [0, 25, 50, 75, 100]) {
    const ty = plot.y + (tick / 100) * plot.height;
    page.drawLine({ start: { x: plot.x - 3, y: ty }, end: { x: plot.x, y: ty }, thickness: 0.5 });
    const label = `${tick}%`;
    page.drawText(label, {
      x: plot.x - 6 - fonts.regular.widthOfTextAtSize(label, 7),
      y: ty - 2.5,
      size: 7,
      font: fonts.regular,
    });
  }
  const slot = plot.width / Math.max(1, categories.length);
  const barWidth = Math.min(28, (slot * 0.7) / series.length);
  categories.forEach((category, i) => {
    const groupX = plot.x + i * slot + (slot - barWidth * series.length) / 2;
    series.forEach((s, k) => {
      const value = s.values[i];
      if (value === null || value === undefined) return;
      const height = Math.max(0.5, (value / 100) * plot.height);
      page.drawRectangle({ x: groupX + k * barWidth, y: plot.y, width: barWidth - 1, height, color: s.colour });
    });
    const lines = wrapText(category, fonts.regular, 6.5, slot - 2);
    lines
      .slice(0, 3)
      .forEach((line, n) =>
        drawCentred(page, line, fonts.regular, 6.5, plot.y - 9 - n * 8, plot.x + i * slot, plot.x + (i + 1) * slot),
      );
  });
  if (threshold) {
    const ty = plot.y + (threshold.value / 100) * plot.height;
    page.drawLine({
      start: { x: plot.x, y: ty },
      end: { x: plot.x + plot.width, y: ty },
      thickness: 1,
      color: red,
      dashArray: [4, 3],
    });
    page.drawText(threshold.label, { x: plot.x + plot.width - 70, y: ty + 3, size: 7.5, font: fonts.bold, color: red });
  }
  let legendX = box.x + 34;
  for (const s of series) {
    page.drawRectangle({ x: legendX, y: box.y + 2, width: 8, height: 8, color: s.colour });
    page.drawText(s.name, { x: legendX + 11, y: box.y + 3, size: 7.5, font: fonts.regular });
    legendX += fonts.regular.widthOfTextAtSize(s.name, 7.5) + 28;
  }
}

const percent = (figure: Figure): number | null => figure.percent;

/**
 * The monthly report as a Vietnamese PDF ready to attach to an official letter: title block, period,
 * the table of agencies, and two charts (agencies against the 30 % personal-signature threshold; the
 * month-by-month trend of the signed and personally signed shares).
 */
export async function renderReportPdf(model: ReportModel, fontFiles: ReportFonts): Promise<Buffer> {
  const pdf = await PDFDocument.create();
  const fonts = await embedFontFiles(pdf, fontFiles);
  pdf.setTitle(`Báo cáo kết quả xử lý văn bản điện tử và ký số tháng ${model.month}`);
  pdf.setProducer('vanthu');
  // What the file is, for the organisation seal: signing seals for reporting only an agency's own monthly report
  // (services/signing/src/signatures/seal-service-document.ts reads these Keywords, and ignores the others). The
  // figures' digest makes the seal cover the figures themselves, not only the claim of agency and month.
  if (model.scope === 'agency' && model.rows[0])
    pdf.setKeywords([
      'vanthu-monthly-report',
      `agency=${model.rows[0].agencyCode}`,
      `month=${model.month}`,
      `figures-sha256=${figuresDigest(model.rows[0])}`,
    ]);
  const [year, month] = model.month.split('-');
  let page = pdf.addPage([pageWidth, pageHeight]);
  let y = pageHeight - margin;
  drawCentred(page, 'HỆ THỐNG QUẢN LÝ VĂN BẢN VÀ ĐIỀU HÀNH', fonts.bold, 10.5, y - 10, margin, margin + 300);
  drawCentred(
    page,
    'CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM',
    fonts.bold,
    10.5,
    y - 10,
    pageWidth - margin - 340,
    pageWidth - margin,
  );
  drawCentred(
    page,
    'Độc lập - Tự do - Hạnh phúc',
    fonts.bold,
    11,
    y - 24,
    pageWidth - margin - 340,
    pageWidth - margin,
  );
  y -= 60;
  drawCentred(page, 'BÁO CÁO', fonts.bold, 14, y);
  y -= 18;
  drawCentred(page, 'Kết quả xử lý văn bản, hồ sơ công việc trên môi trường điện tử và ký số', fonts.bold, 12, y);
  y -= 16;
  drawCentred(page, `Tháng ${Number(month)} năm ${year}`, fonts.regular, 11.5, y);
  y -= 15;
  drawCentred(
    page,
    model.scope === 'province' ? `Toàn tỉnh: ${model.rows.length} cơ quan` : `Cơ quan: ${model.total.label}`,
    fonts.regular,
    11,
    y,
  );
  y -= 20;

  const columns = [
    { header: 'TT', width: 3 },
    { header: 'Cơ quan (mã định danh)', width: 11 },
    { header: 'Văn bản đi phát hành', width: 6 },
    { header: 'Xử lý hoàn toàn trên môi trường điện tử và ký số', width: 10 },
    { header: 'Ký số', width: 6 },
    { header: 'Ký số lãnh đạo', width: 7 },
    { header: 'Ký số cơ quan', width: 7 },
    { header: 'Đủ chữ ký người có thẩm quyền và cơ quan', width: 10 },
    { header: 'Chỉ số hóa từ văn bản giấy', width: 8 },
    { header: 'Đạt tối thiểu 30% ký số cá nhân', width: 8 },
  ];
  const line = (label: string, order: string, issued: number, figures: Record<string, Figure>, met: string) => [
    order,
    label,
    String(issued),
    vietnamesePercent(figures.fullyElectronic as Figure),
    vietnamesePercent(figures.signed as Figure),
    vietnamesePercent(figures.personallySigned as Figure),
    vietnamesePercent(figures.organisationSigned as Figure),
    vietnamesePercent(figures.bothSignatures as Figure),
    vietnamesePercent(figures.digitisedOnly as Figure),
    met,
  ];
  const metText = (met: boolean | null | undefined) =>
    met === null || met === undefined ? '—' : met ? 'Đạt' : 'Chưa đạt';
  const rows = model.rows.map((row, index) =>
    line(
      row.agencyCode,
      String(index + 1),
      row.documents.issued,
      row.figures,
      metText(row.thresholds.find((t) => t.figure === 'personallySigned')?.met),
    ),
  );
  if (model.scope === 'province') {
    const issued = model.rows.reduce((sum, row) => sum + row.documents.issued, 0);
    const personal = model.total.figures.personallySigned as Figure;
    rows.push(
      line(
        'Toàn tỉnh',
        '',
        issued,
        model.total.figures,
        metText(personal.ratio === null ? null : personal.ratio >= 0.3),
      ),
    );
  }
  ({ page, y } = drawTable(pdf, { page, y }, fonts, columns, rows, tableStyle));
  y -= 14;
  const note = `Định nghĩa số liệu phiên bản ${model.definitionsVersion}. Tỷ lệ tính trên văn bản đi phát hành trong tháng; “—”: không có văn bản để tính. Lập lúc ${vietnamIsoDateTime(new Date(model.generatedAt))}.`;
  for (const text of wrapText(note, fonts.regular, 8.5, pageWidth - 2 * margin)) {
    if (y < margin + 10) {
      page = pdf.addPage([pageWidth, pageHeight]);
      y = pageHeight - margin;
    }
    page.drawText(text, { x: margin, y, size: 8.5, font: fonts.regular, color: grey });
    y -= 11;
  }

  const charts = pdf.addPage([pageWidth, pageHeight]);
  const half = (pageWidth - 2 * margin - 30) / 2;
  barChart(
    charts,
    fonts,
    { x: margin, y: 120, width: half, height: 360 },
    'Tỷ lệ văn bản ký số lãnh đạo theo cơ quan',
    model.rows.map((row) => row.agencyCode),
    [{ name: 'Ký số lãnh đạo', colour: blue, values: model.rows.map((row) => percent(row.figures.personallySigned)) }],
    { value: 30, label: 'Ngưỡng 30%' },
  );
  barChart(
    charts,
    fonts,
    { x: margin + half + 30, y: 120, width: half, height: 360 },
    'Diễn biến theo tháng: ký số và ký số lãnh đạo',
    model.trend.map((point) => `Tháng ${Number(point.month.slice(5))}/${point.month.slice(0, 4)}`),
    [
      { name: 'Ký số', colour: rgb(0.2, 0.6, 0.3), values: model.trend.map((point) => percent(point.signed)) },
      { name: 'Ký số lãnh đạo', colour: blue, values: model.trend.map((point) => percent(point.personallySigned)) },
    ],
  );
  return Buffer.from(await pdf.save());
}
