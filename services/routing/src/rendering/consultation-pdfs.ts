import { PDFDocument } from 'pdf-lib';
import type { PDFFont, PDFPage } from 'pdf-lib';
import { drawCentred, drawTable, embedFontFiles, wrapText } from '@vanthu/pdf';
import { vietnamClockText } from '@vanthu/platform';

// The two PDFs of a consultation (lấy ý kiến, docs/domain/directives.md, Đà Nẵng §2d): the answer sheet a member signs
// and the summary of answers filed in the document's dossier. New files, so pdf-lib writes them and packages/pdf lays
// out their text and tables, as documents' registers and reporting's reports are laid out.

export type FontFiles = { regular: string; bold: string };

/** Liberation Serif 2 has every Vietnamese letter (the 1.x fonts-liberation does not); reporting uses the same. */
export const defaultFontFiles: FontFiles = {
  regular: '/usr/share/fonts/truetype/liberation2/LiberationSerif-Regular.ttf',
  bold: '/usr/share/fonts/truetype/liberation2/LiberationSerif-Bold.ttf',
};

export type Answer = 'agree' | 'disagree' | 'comments';

/** The answers as the form prints them. */
export const answerText: Record<Answer, string> = {
  agree: 'Nhất trí',
  disagree: 'Không nhất trí',
  comments: 'Có ý kiến khác',
};

const margin = 56;
const width = 595.28;
const height = 841.89;

type Writer = { pdf: PDFDocument; page: PDFPage; y: number; fonts: { regular: PDFFont; bold: PDFFont } };

/**
 * A new PDF whose bytes depend only on what it shows: its dates are `at`, not the time of writing (pdf-lib's font
 * subset names come from a seeded generator), so writing it again gives the same file and documents the same document.
 */
async function newWriter(fonts: FontFiles, at: Date): Promise<Writer> {
  const pdf = await PDFDocument.create();
  pdf.setCreationDate(at);
  pdf.setModificationDate(at);
  const embedded = await embedFontFiles(pdf, fonts);
  return { pdf, page: pdf.addPage([width, height]), y: height - margin, fonts: embedded };
}

function paragraph(w: Writer, text: string, options: { bold?: boolean; size?: number } = {}): void {
  const size = options.size ?? 12;
  const font = options.bold ? w.fonts.bold : w.fonts.regular;
  for (const line of wrapText(text, font, size, width - 2 * margin)) {
    if (w.y - size < margin) {
      w.page = w.pdf.addPage([width, height]);
      w.y = height - margin;
    }
    w.page.drawText(line, { x: margin, y: w.y - size, size, font });
    w.y -= size * 1.4;
  }
}

function title(w: Writer, lines: string[]): void {
  for (const line of lines) {
    drawCentred(w.page, line, w.fonts.bold, 14, w.y - 14);
    w.y -= 20;
  }
  w.y -= 8;
}

export type AnswerSheet = {
  consultationId: string;
  question: string;
  documentSubject: string;
  memberUserId: string;
  memberName: string | null;
  answer: Answer;
  comment: string | null;
  dueAt: Date;
  writtenAt: Date;
};

/**
 * Phiếu lấy ý kiến: one member's answer, which they sign with their own certificate. The content ends with the closing
 * mark "./." after which a content initial is placed (NĐ 30/2020 Phụ lục I), so the sheet takes signing's two-step
 * session without an explicit rectangle.
 */
export async function renderAnswerSheet(sheet: AnswerSheet, fonts: FontFiles = defaultFontFiles): Promise<Buffer> {
  const w = await newWriter(fonts, sheet.writtenAt);
  title(w, ['PHIẾU LẤY Ý KIẾN']);
  paragraph(w, `Nội dung xin ý kiến: ${sheet.question}`);
  paragraph(w, `Văn bản được lấy ý kiến: ${sheet.documentSubject}`);
  paragraph(w, `Thành viên: ${sheet.memberName ? `${sheet.memberName} (${sheet.memberUserId})` : sheet.memberUserId}`);
  paragraph(w, `Ý kiến: ${answerText[sheet.answer]}`, { bold: true });
  if (sheet.comment) paragraph(w, `Nội dung ý kiến: ${sheet.comment}`);
  paragraph(w, `Hạn trả lời: ${vietnamClockText(sheet.dueAt)}`);
  paragraph(w, `Lập lúc: ${vietnamClockText(sheet.writtenAt)}`);
  paragraph(w, `Mã lấy ý kiến: ${sheet.consultationId}./.`);
  return Buffer.from(await w.pdf.save());
}

export type SummaryMember = {
  userId: string;
  /** The full name the agency's directory gives the member; the user id when the directory does not list them. */
  name: string;
  answer: Answer | null;
  comment: string | null;
  answeredAt: Date | null;
  signatureId: string | null;
};

export type ConsultationSummary = {
  /** The agency whose consultation it is: written in the PDF's Keywords, which signing checks before it seals. */
  agencyCode: string;
  consultationId: string;
  question: string;
  documentSubject: string;
  /** The full name of who opened it (or their user id, as for members). */
  openedBy: string;
  openedAt: Date;
  dueAt: Date;
  closedAt: Date;
  closeReason: 'completion-rule' | 'closed-by-opener';
  members: SummaryMember[];
};

/** The members who had not answered when the deadline came: no answer, or an answer after it. */
export function notAnsweredByDeadline(summary: Pick<ConsultationSummary, 'dueAt' | 'members'>): SummaryMember[] {
  return summary.members.filter((m) => !m.answeredAt || m.answeredAt.getTime() > summary.dueAt.getTime());
}

/** Tổng hợp ý kiến: every member's answer, the tally, and who had not answered by the deadline. */
export async function renderConsultationSummary(
  summary: ConsultationSummary,
  fonts: FontFiles = defaultFontFiles,
): Promise<Buffer> {
  const w = await newWriter(fonts, summary.closedAt);
  // What the file is, for signing's service seal (services/signing/src/signatures/seal-service-document.ts).
  w.pdf.setKeywords([
    'vanthu-consultation-summary',
    `agency=${summary.agencyCode}`,
    `consultation=${summary.consultationId}`,
  ]);
  title(w, ['TỔNG HỢP Ý KIẾN THÀNH VIÊN']);
  paragraph(w, `Nội dung xin ý kiến: ${summary.question}`);
  paragraph(w, `Văn bản được lấy ý kiến: ${summary.documentSubject}`);
  paragraph(w, `Người lấy ý kiến: ${summary.openedBy}; mở lúc ${vietnamClockText(summary.openedAt)}`);
  paragraph(w, `Hạn trả lời: ${vietnamClockText(summary.dueAt)}`);
  paragraph(
    w,
    `Kết thúc lúc ${vietnamClockText(summary.closedAt)} (${summary.closeReason === 'completion-rule' ? 'đủ ý kiến theo quy định' : 'người lấy ý kiến kết thúc'})`,
  );
  const count = (answer: Answer) => summary.members.filter((m) => m.answer === answer).length;
  paragraph(
    w,
    `Kết quả: Nhất trí ${count('agree')}; Không nhất trí ${count('disagree')}; Có ý kiến khác ${count('comments')}; trên ${summary.members.length} thành viên.`,
    { bold: true },
  );
  w.y -= 6;
  const end = drawTable(
    w.pdf,
    { page: w.page, y: w.y },
    w.fonts,
    [
      { header: 'STT', width: 0.6 },
      { header: 'Thành viên', width: 2 },
      { header: 'Ý kiến', width: 1.6 },
      { header: 'Nội dung ý kiến', width: 3.2 },
      { header: 'Thời điểm trả lời', width: 2 },
      { header: 'Chữ ký số', width: 1.2 },
    ],
    summary.members.map((m, i) => [
      String(i + 1),
      m.name,
      m.answer ? answerText[m.answer] : 'Chưa trả lời',
      m.comment ?? '',
      m.answeredAt ? vietnamClockText(m.answeredAt) : '',
      m.signatureId ? 'Đã ký số' : m.answer ? 'Không ký' : '',
    ]),
    { margin, fontSize: 10, lineHeight: 12, cellPadding: 3 },
  );
  w.page = end.page;
  w.y = end.y - 12;
  const missing = notAnsweredByDeadline(summary);
  paragraph(w, `Thành viên chưa trả lời đến hạn (${vietnamClockText(summary.dueAt)}):`, { bold: true });
  if (missing.length === 0) paragraph(w, 'Không có.');
  for (const m of missing)
    paragraph(
      w,
      m.answeredAt ? `- ${m.name}: trả lời muộn lúc ${vietnamClockText(m.answeredAt)}` : `- ${m.name}: chưa trả lời`,
    );
  return Buffer.from(await w.pdf.save());
}
