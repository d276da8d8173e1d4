import { PDFDocument } from 'pdf-lib';
import { drawTable, embedFontFiles, wrapText } from '../src/table-layout';

const fonts = {
  regular: '/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf',
  bold: '/usr/share/fonts/truetype/dejavu/DejaVuSerif-Bold.ttf',
};
const style = { margin: 36, fontSize: 9, lineHeight: 11, cellPadding: 3 };

describe('table layout shared by documents and reporting', () => {
  it('wraps Vietnamese text at spaces and inside words longer than the width, every line fitting', async () => {
    const pdf = await PDFDocument.create();
    const { regular } = await embedFontFiles(pdf, fonts);
    const text = 'Báo cáo tình hình giải quyết văn bản đến Ủyban-nhân-dân-tỉnh-Hà-Giang-Sở-Khoa-học-và-Công-nghệ';
    const lines = wrapText(text, regular, 9, 80);
    expect(lines.length).toBeGreaterThan(2);
    for (const line of lines) expect(regular.widthOfTextAtSize(line, 9)).toBeLessThanOrEqual(80);
    expect(lines.join('').replace(/\s/g, '')).toBe(text.normalize('NFC').replace(/\s/g, ''));
    expect(wrapText('một\nhai', regular, 9, 500)).toEqual(['một', 'hai']);
  });

  it('continues on new pages of the same size and says where it ended', async () => {
    const pdf = await PDFDocument.create();
    const embedded = await embedFontFiles(pdf, fonts);
    const page = pdf.addPage([595.28, 841.89]);
    const rows = Array.from({ length: 200 }, (_, i) => [String(i + 1), `Văn bản số ${i + 1}`]);
    const end = drawTable(
      pdf,
      { page, y: 800 },
      embedded,
      [
        { header: 'TT', width: 1 },
        { header: 'Trích yếu', width: 5 },
      ],
      rows,
      style,
    );
    // 200 rows of 17 pt do not fit one page of 842 pt: the table runs on, and its end is on the last page.
    expect(pdf.getPageCount()).toBeGreaterThan(3);
    expect(end.page).toBe(pdf.getPage(pdf.getPageCount() - 1));
    expect(end.page.getSize()).toEqual({ width: 595.28, height: 841.89 });
    expect(end.y).toBeGreaterThanOrEqual(style.margin);
  });
});
