import fs from 'node:fs';
import fontkit from '@pdf-lib/fontkit';
import { PDFDocument, rgb } from 'pdf-lib';
import { vietnamClockText } from '@vanthu/platform';
import type { PDFFont, PDFPage } from 'pdf-lib';
import type { MainIndication, SignatureReport, SubIndication, ValidationReport, VisualReport } from './report';

const verdictText: Record<MainIndication, string> = {
  TOTAL_PASSED: 'HỢP LỆ',
  TOTAL_FAILED: 'KHÔNG HỢP LỆ',
  INDETERMINATE: 'CHƯA XÁC ĐỊNH ĐƯỢC',
};

const subText: Record<SubIndication, string> = {
  FORMAT_FAILURE: 'Cấu trúc chữ ký hoặc tệp không đúng định dạng',
  HASH_FAILURE: 'Nội dung đã bị thay đổi sau khi ký',
  SIG_CRYPTO_FAILURE: 'Giá trị chữ ký không khớp với chứng thư số',
  REVOKED: 'Chứng thư số đã bị thu hồi trước thời điểm ký',
  REVOKED_NO_POE: 'Chứng thư số đã bị thu hồi; không có dấu thời gian chứng minh chữ ký có trước',
  EXPIRED: 'Chứng thư số đã hết hạn tại thời điểm ký',
  NOT_YET_VALID: 'Chứng thư số chưa có hiệu lực tại thời điểm ký',
  OUT_OF_BOUNDS_NO_POE: 'Chứng thư số đã hết hạn; không có dấu thời gian chứng minh chữ ký có trước',
  NO_CERTIFICATE_CHAIN_FOUND: 'Không xác định được chuỗi chứng thực đến tổ chức cung cấp dịch vụ tin cậy',
  NO_SIGNING_CERTIFICATE_FOUND: 'Không tìm thấy chứng thư số của người ký',
  TRY_LATER: 'Chưa kiểm tra được tình trạng thu hồi chứng thư số; đề nghị kiểm tra lại sau',
  CRYPTO_CONSTRAINTS_FAILURE: 'Thuật toán chữ ký không được hỗ trợ hoặc không được chấp nhận',
  CRYPTO_CONSTRAINTS_FAILURE_NO_POE: 'Thuật toán mật mã không còn được chấp nhận (SHA-1)',
  SIG_CONSTRAINTS_FAILURE: 'Văn bản bị thay đổi sau khi ký theo cách không được phép',
  POLICY_PROCESSING_ERROR: 'Lỗi áp dụng chính sách kiểm tra',
};

const roleText: Record<string, string> = {
  initial: 'Ký nháy',
  approval: 'Ký duyệt (người có thẩm quyền)',
  issue: 'Ký số của cơ quan, tổ chức (phát hành)',
  attachment: 'Ký số phụ lục, tài liệu kèm theo',
  copy: 'Ký số bản sao',
  digitisation: 'Ký số bản số hóa',
};

const sourceText: Record<string, string> = {
  'embedded-ocsp': 'OCSP nhúng trong văn bản',
  'embedded-crl': 'CRL nhúng trong văn bản',
  'online-ocsp': 'OCSP trực tuyến',
  'online-crl': 'CRL trực tuyến',
  cache: 'kết quả tra cứu gần đây',
  none: 'không có',
  'trust-anchor': 'danh sách tin cậy',
};

/** Times in Vietnam, as agencies read them: HH:mm:ss ngày dd/MM/yyyy. */
function vietnamTime(iso: string | null): string {
  if (!iso) return '—';
  const [time, date] = vietnamClockText(new Date(iso)).split(' ');
  return `${time} ngày ${date}`;
}

type Writer = {
  line: (
    text: string,
    options?: { bold?: boolean; size?: number; color?: [number, number, number]; indent?: number },
  ) => void;
  gap: (h: number) => void;
  /** Reserves `height` points (a new page when it does not fit) and lets `draw` paint there; (x, top) is its top-left corner. */
  figure: (height: number, draw: (page: PDFPage, x: number, top: number, font: PDFFont) => void) => void;
};

/**
 * A readable Vietnamese report of a validation (issue 5 item 1), A4, DejaVu Serif: one verdict,
 * then per signature who signed, when, with what result and why.
 */
export async function renderReportPdf(
  report: ValidationReport,
  fontPath: string,
  boldFontPath = fontPath.replace(/DejaVuSerif\.ttf$/, 'DejaVuSerif-Bold.ttf'),
): Promise<Buffer> {
  const doc = await PDFDocument.create();
  doc.registerFontkit(fontkit);
  doc.setTitle('Báo cáo kiểm tra chữ ký số');
  doc.setProducer('vanthu signing service');
  const regular = await doc.embedFont(fs.readFileSync(fontPath), { subset: true });
  const bold = fs.existsSync(boldFontPath)
    ? await doc.embedFont(fs.readFileSync(boldFontPath), { subset: true })
    : regular;
  const margin = 56;
  const width = 595.28 - 2 * margin;
  let page: PDFPage = doc.addPage([595.28, 841.89]);
  let y = 841.89 - margin;
  const wrap = (text: string, font: PDFFont, size: number, max: number): string[] => {
    const lines: string[] = [];
    for (const paragraph of text.normalize('NFC').split('\n')) {
      let line = '';
      for (const word of paragraph.split(' ')) {
        const candidate = line ? `${line} ${word}` : word;
        if (font.widthOfTextAtSize(candidate, size) > max && line) {
          lines.push(line);
          line = word;
        } else line = candidate;
      }
      lines.push(line);
    }
    return lines;
  };
  const w: Writer = {
    line: (text, o = {}) => {
      const size = o.size ?? 10.5;
      const font = o.bold ? bold : regular;
      const indent = o.indent ?? 0;
      for (const l of wrap(text, font, size, width - indent)) {
        if (y < margin + size) {
          page = doc.addPage([595.28, 841.89]);
          y = 841.89 - margin;
        }
        page.drawText(l, { x: margin + indent, y: y - size, size, font, color: rgb(...(o.color ?? [0, 0, 0])) });
        y -= size * 1.35;
      }
    },
    gap: (h) => {
      y -= h;
    },
    figure: (height, draw) => {
      if (y - height < margin) {
        page = doc.addPage([595.28, 841.89]);
        y = 841.89 - margin;
      }
      draw(page, margin, y, regular);
      y -= height;
    },
  };
  const colour = (i: MainIndication): [number, number, number] =>
    i === 'TOTAL_PASSED' ? [0, 0.45, 0.1] : i === 'TOTAL_FAILED' ? [0.75, 0, 0] : [0.7, 0.4, 0];

  w.line('BÁO CÁO KIỂM TRA CHỮ KÝ SỐ', { bold: true, size: 15 });
  w.line(
    'Theo ETSI EN 319 102-1; kiểm tra tính xác thực và toàn vẹn của văn bản điện tử (Nghị định 30/2020/NĐ-CP, Điều 21).',
    { size: 9 },
  );
  w.gap(8);
  w.line(`Kết luận: ${verdictText[report.verdict]}`, { bold: true, size: 13, color: colour(report.verdict) });
  if (report.verdictSubIndication) w.line(subText[report.verdictSubIndication], { indent: 12 });
  w.gap(6);
  w.line(`Mã băm SHA-256 của tệp: ${report.sha256}`, { size: 9 });
  w.line(
    `Kích thước: ${report.sizeBytes.toLocaleString('vi-VN')} byte; số phiên bản lưu (revision): ${report.revisions}`,
    { size: 9 },
  );
  w.line(
    `Thời điểm kiểm tra: ${vietnamTime(report.validationTime)}; tình trạng thu hồi: ${report.revocationMode === 'online' ? 'tra cứu trực tuyến (OCSP/CRL)' : 'chỉ dùng dữ liệu nhúng trong tệp'}`,
    { size: 9 },
  );
  w.gap(6);
  if (report.signatures.length === 0)
    w.line(report.verdictSubIndication ? `Không đọc được tệp: ${report.verdictReason}` : 'Văn bản không có chữ ký số.');
  report.signatures.forEach((s, i) => signatureSection(w, s, i, colour));
  return Buffer.from(await doc.save());
}

const MAX_REGIONS = 10;
const SKETCH_HEIGHT = 170;
const RED: [number, number, number] = [0.8, 0, 0];
const GREEN: [number, number, number] = [0, 0.5, 0.15];

/**
 * The differing regions drawn where they lie (issue 11, visual check): per page with regions, the
 * page's visible box to scale with each region as a rectangle, numbered as in the list above, red
 * when nothing explains it, green when an allowed change does. Drawn as the page is shown, so a
 * /Rotate page is turned the way a reader displays it.
 */
function regionSketches(w: Writer, visual: VisualReport): void {
  const numbered = visual.regions.slice(0, MAX_REGIONS).map((r, i) => ({ ...r, n: i + 1 }));
  for (const { page, box, rotate } of visual.pageBoxes ?? []) {
    const onPage = numbered.filter((r) => r.page === page);
    if (onPage.length === 0) continue;
    const [bw, bh] = [box[2] - box[0], box[3] - box[1]];
    if (!(bw > 0 && bh > 0)) continue;
    const [shownW, shownH] = rotate % 180 === 0 ? [bw, bh] : [bh, bw];
    const scale = (SKETCH_HEIGHT - 24) / shownH;
    // A point of the page (user space) as drawn on the sketch, the page turned clockwise by /Rotate (ISO 32000-1 §8.3.2.3 / Table 30).
    const shown = (px: number, py: number): [number, number] => {
      const [u, v] = [px - box[0], py - box[1]];
      const [sx, sy] =
        rotate === 90 ? [v, bw - u] : rotate === 180 ? [bw - u, bh - v] : rotate === 270 ? [bh - v, u] : [u, v];
      return [sx * scale, sy * scale];
    };
    w.figure(SKETCH_HEIGHT, (p, x, top, font) => {
      const left = x + 24;
      const bottom = top - SKETCH_HEIGHT + 8;
      p.drawText(`Trang ${page}${rotate ? ` (xoay ${rotate}°)` : ''}`, { x, y: top - 10, size: 8, font });
      p.drawRectangle({
        x: left,
        y: bottom,
        width: shownW * scale,
        height: shownH * scale,
        borderColor: rgb(0.4, 0.4, 0.4),
        borderWidth: 0.75,
      });
      for (const r of onPage) {
        const [ax, ay] = shown(r.rect[0], r.rect[1]);
        const [bx, by] = shown(r.rect[2], r.rect[3]);
        const colour = rgb(...(r.explainedBy ? GREEN : RED));
        const rx = left + Math.min(ax, bx);
        const ry = bottom + Math.min(ay, by);
        p.drawRectangle({
          x: rx,
          y: ry,
          width: Math.max(1, Math.abs(bx - ax)),
          height: Math.max(1, Math.abs(by - ay)),
          borderColor: colour,
          borderWidth: 1,
          color: colour,
          opacity: 0.25,
        });
        p.drawText(String(r.n), {
          x: rx + 1,
          y: ry + Math.max(1, Math.abs(by - ay)) + 1,
          size: 7,
          font,
          color: colour,
        });
      }
    });
  }
}

function signatureSection(
  w: Writer,
  s: SignatureReport,
  index: number,
  colour: (i: MainIndication) => [number, number, number],
): void {
  w.gap(8);
  w.line(
    `${index + 1}. ${s.kind === 'document-timestamp' ? 'Dấu thời gian của văn bản' : 'Chữ ký số'} «${s.fieldName}»: ${verdictText[s.indication]}`,
    { bold: true, size: 11.5, color: colour(s.indication) },
  );
  if (s.subIndication) w.line(`${subText[s.subIndication]} (${s.indication}/${s.subIndication})`, { indent: 12 });
  if (s.signer) {
    w.line(
      `${s.kind === 'document-timestamp' ? 'Đơn vị cấp dấu thời gian' : 'Người ký'}: ${s.signer.name}${s.signer.organisation ? ` — ${s.signer.organisation}` : ''}`,
      { indent: 12 },
    );
    w.line(`Số hiệu chứng thư: ${s.signer.serialNumber}; tổ chức cấp: ${s.signer.issuer}`, { indent: 12, size: 9 });
  }
  if (s.workflowRole) w.line(`Vai trò trong quy trình: ${roleText[s.workflowRole] ?? s.workflowRole}`, { indent: 12 });
  if (s.certification) w.line(`Chữ ký chứng nhận (DocMDP mức ${s.certification.permissions})`, { indent: 12 });
  w.line(
    `Thời điểm ký theo khai báo: ${vietnamTime(s.claimedSigningTime)}; theo dấu thời gian: ${vietnamTime(s.timestampTime)}`,
    { indent: 12 },
  );
  if (s.level) w.line(`Mức chữ ký PAdES: ${s.level}`, { indent: 12 });
  w.line(
    `Phạm vi: chữ ký bao phủ phiên bản ${s.signedRevision}/${s.revisions}${s.coversWholeFile ? ' (toàn bộ tệp)' : ''}; thay đổi sau khi ký: ${s.changesAfter.length} (${s.changesAfter.filter((c) => !c.allowed).length} không được phép)`,
    { indent: 12 },
  );
  for (const c of s.changesAfter.filter((x) => !x.allowed).slice(0, 10))
    w.line(`– phiên bản ${c.revision + 1}, đối tượng ${c.object} (${c.what}): ${c.detail}`, { indent: 24, size: 9 });
  const allowed = s.changesAfter.filter(
    (x) => x.allowed && x.classification !== 'signature' && x.classification !== 'dss',
  );
  if (allowed.length) w.line('Thay đổi được phép (không làm đổi nội dung hiển thị):', { indent: 12, size: 9 });
  for (const c of allowed.slice(0, 10))
    w.line(`– phiên bản ${c.revision + 1}, đối tượng ${c.object} (${c.what}): ${c.detail}`, { indent: 24, size: 9 });
  if (s.visual) {
    if (s.visual.error || s.visual.pages.length)
      w.line(
        s.visual.error
          ? `Đối chiếu hình ảnh trang: ${s.visual.error}`
          : `Đối chiếu hình ảnh trang ${s.visual.pages.join(', ')} khi ký và hiện nay: ${s.visual.regions.length} vùng khác nhau`,
        { indent: 12 },
      );
    const unchanged = s.visual.unchangedPages ?? [];
    if (unchanged.length)
      w.line(
        `Trang ${unchanged.join(', ')}: nội dung, tài nguyên, chú thích và khung trang như khi ký (không cần kết xuất để đối chiếu)`,
        { indent: 12 },
      );
    s.visual.regions
      .slice(0, MAX_REGIONS)
      .forEach((r, i) =>
        w.line(
          `– (${i + 1}) trang ${r.page}, vùng [${r.rect.join(' ')}] pt: ${r.explainedBy ? `giải thích bởi ${r.explainedBy}` : 'KHÔNG được giải thích'}`,
          { indent: 24, size: 9, color: r.explainedBy ? [0, 0, 0] : [0.75, 0, 0] },
        ),
      );
    regionSketches(w, s.visual);
  }
  if (s.chain.length) {
    w.line('Chuỗi chứng thực:', { indent: 12 });
    for (const c of s.chain) {
      const status = c.trustAnchor
        ? 'tin cậy (gốc)'
        : c.status === 'good'
          ? 'còn hiệu lực'
          : c.status === 'revoked'
            ? `đã thu hồi ${vietnamTime(c.revokedAt)}`
            : 'chưa rõ tình trạng';
      const cn = /(?:^|, )CN=([^,]+)/.exec(c.subject)?.[1] ?? c.subject;
      w.line(`– ${cn}: ${status}; nguồn: ${sourceText[c.revocationSource] ?? c.revocationSource}`, {
        indent: 24,
        size: 9,
      });
    }
  }
  if (s.reasons.length)
    w.line(`Chi tiết kỹ thuật: ${s.reasons.join('; ')}`, { indent: 12, size: 8.5, color: [0.3, 0.3, 0.3] });
}
