import { AppError } from '@vanthu/platform';
import { PdfReader, isArray } from '@vanthu/pdf';
import type { SignatureAppearance } from '@vanthu/pdf';
import type { AppearanceBuilder } from '../pades/pades-engine';
import { drawAppearance, textWidth } from './draw-appearance';
import { endOfBlock, extractText, findLast } from './text-positions';
import type { PageText } from './text-positions';

export type Rect = { page: number; x: number; y: number; width: number; height: number };
export type Anchors = { endOfContent: string[]; recipients: string[] };
export const defaultAnchors: Anchors = { endOfContent: ['./.'], recipients: ['Nơi nhận'] };

const MM = 72 / 25.4;

/** What to draw and where, per signature kind of NĐ 30/2020 Phụ lục I. */
export type AppearanceRequest =
  | {
      kind: 'initial';
      step: 'content' | 'format';
      image?: Buffer;
      imageSize?: { width: number; height: number };
      signerName: string;
      time: Date;
      anchors: Anchors;
    }
  | {
      kind: 'approval';
      image: Buffer;
      imageSize: { width: number; height: number };
      signerName: string;
      positionText?: string;
      rect?: Rect;
    }
  | { kind: 'issue'; image: Buffer; widthMm: number; imageSize: { width: number; height: number }; approvalRect: Rect }
  | { kind: 'attachment'; text: string }
  | { kind: 'copy'; text: string }
  | { kind: 'digitisation'; image: Buffer; widthMm: number; imageSize: { width: number; height: number } };

/** ISO 8601 in Vietnam time with +07:00 (requirements 7.11 and 7.29). */
export function vietnamTime(date: Date): string {
  const vn = new Date(date.getTime() + 7 * 3600_000);
  return `${vn.toISOString().slice(0, 19)}+07:00`;
}
export const vietnamClock = (date: Date): string => {
  const t = vietnamTime(date);
  return `${t.slice(11, 19)} ${t.slice(8, 10)}/${t.slice(5, 7)}/${t.slice(0, 4)}`;
};

const fit = (w: number, h: number, maxW: number, maxH: number): { width: number; height: number } => {
  const s = Math.min(maxW / w, maxH / h);
  return { width: w * s, height: h * s };
};

/** Page 1's size from the PDF structure (no text extraction needed for top-right placements). */
function firstPageSize(pdf: Buffer): { width: number; height: number } | undefined {
  const reader = PdfReader.fromBuffer(pdf);
  const page = reader.pages()[0];
  if (!page) return undefined;
  const box = reader.inherited(page.dict, 'MediaBox');
  if (!isArray(box) || box.length !== 4) return undefined;
  const [x0, y0, x1, y1] = box.map(Number) as [number, number, number, number];
  return { width: x1 - x0, height: y1 - y0 };
}

const notFound = (what: string): AppError =>
  new AppError('UNPROCESSABLE', `cannot find ${what} in the document text; give the appearance rectangle explicitly`, {
    errors: [{ field: 'appearance.rect', message: 'position not found' }],
  });

/** Computes where the widget goes and what it shows. Returns the builder and the rectangle used. */
export async function planAppearance(
  pdf: Buffer,
  request: AppearanceRequest,
  fontPath: string,
): Promise<{ builder: AppearanceBuilder; rect: Rect }> {
  let pages: PageText[] | undefined;
  const text = async (): Promise<PageText[]> => (pages ??= await extractText(pdf));
  let rect: Rect;
  let drawing: Parameters<typeof drawAppearance>[1];
  switch (request.kind) {
    case 'initial': {
      // NĐ 30/2020 Phụ lục I: the unit leader initials after the end of the content (./.),
      // the format checker at the end of the Nơi nhận block.
      const all = await text();
      let anchorRun;
      // The box fits its text (measured with the appearance font) so nothing is clipped.
      const twoLineImage =
        request.image && request.imageSize ? fit(request.imageSize.width, request.imageSize.height, 30, 20) : undefined;
      const clock = vietnamClock(request.time);
      const twoLineWidth =
        (twoLineImage ? twoLineImage.width + 3 : 0) +
        Math.max(await textWidth(fontPath, request.signerName, 7), await textWidth(fontPath, clock, 6)) +
        2;
      const oneLineImage =
        request.image && request.imageSize ? fit(request.imageSize.width, request.imageSize.height, 24, 10) : undefined;
      const oneLineWidth =
        (oneLineImage ? oneLineImage.width + 3 : 0) +
        (await textWidth(fontPath, `${request.signerName} ${clock}`, 6)) +
        2;
      if (request.step === 'content') {
        for (const a of request.anchors.endOfContent) anchorRun ??= findLast(all, a);
        if (!anchorRun) throw notFound(`the end-of-content mark (${request.anchors.endOfContent.join(', ')})`);
        rect = {
          page: anchorRun.page,
          x: anchorRun.x + anchorRun.width + 6,
          y: anchorRun.y - 14,
          width: twoLineWidth,
          height: 28,
        };
        const pageWidth = all[anchorRun.page]?.width ?? 595;
        // No room after the mark on its line: a one-line initial in the gap just below it.
        if (rect.x + rect.width > pageWidth - 15)
          rect = {
            page: anchorRun.page,
            x: Math.min(anchorRun.x + anchorRun.width, pageWidth - 15) - oneLineWidth,
            y: anchorRun.y - 15,
            width: oneLineWidth,
            height: 12,
          };
      } else {
        for (const a of request.anchors.recipients) anchorRun ??= findLast(all, a);
        if (!anchorRun) throw notFound(`the recipients block (${request.anchors.recipients.join(', ')})`);
        const last = endOfBlock(all, anchorRun);
        rect = { page: last.page, x: last.x, y: last.y - 32, width: twoLineWidth, height: 28 };
      }
      const oneLine = rect.height < 20;
      const img = oneLine ? oneLineImage : twoLineImage;
      const textX = img ? img.width + 3 : 0;
      drawing = {
        width: rect.width,
        height: rect.height,
        ...(img && request.image
          ? { image: { png: request.image, x: 0, y: rect.height - img.height - 1, ...img } }
          : {}),
        lines: oneLine
          ? [{ text: `${request.signerName} ${clock}`, x: textX, y: 3, size: 6 }]
          : [
              { text: request.signerName, x: textX, y: 16, size: 7 },
              { text: clock, x: textX, y: 6, size: 6 },
            ],
      };
      break;
    }
    case 'approval': {
      // NĐ 30/2020 Phụ lục I.II.7.d: blue image centred between the position and the name.
      if (request.rect) rect = request.rect;
      else {
        const all = await text();
        const name = findLast(all, request.signerName);
        if (!name) throw notFound(`the signer's name "${request.signerName}"`);
        const page = all[name.page];
        const above = (page?.runs ?? []).filter(
          (r) =>
            r.y > name.y + name.height &&
            (!request.positionText ||
              r.text
                .normalize('NFC')
                .toLocaleLowerCase('vi')
                .includes(request.positionText.normalize('NFC').toLocaleLowerCase('vi'))),
        );
        const centreX = name.x + name.width / 2;
        const position = above.filter((r) => Math.abs(r.x + r.width / 2 - centreX) < 120).sort((a, b) => a.y - b.y)[0];
        if (!position) throw notFound('the position line above the signer name');
        const top = position.y - 3;
        const bottom = name.y + name.height + 3;
        const boxH = Math.max(20, top - bottom);
        const size = fit(request.imageSize.width, request.imageSize.height, 160, boxH);
        rect = {
          page: name.page,
          x: centreX - size.width / 2,
          y: bottom + (boxH - size.height) / 2,
          width: size.width,
          height: size.height,
        };
      }
      drawing = {
        width: rect.width,
        height: rect.height,
        image: { png: request.image, x: 0, y: 0, width: rect.width, height: rect.height },
      };
      break;
    }
    case 'issue': {
      // NĐ 30/2020 Phụ lục I.II.8.a: the seal at its real size covers about the left third of
      // the approval image.
      const a = request.approvalRect;
      const w = request.widthMm * MM;
      const h = (w * request.imageSize.height) / request.imageSize.width;
      rect = { page: a.page, x: a.x + a.width / 3 - w, y: a.y + a.height / 2 - h / 2, width: w, height: h };
      drawing = { width: w, height: h, image: { png: request.image, x: 0, y: 0, width: w, height: h } };
      break;
    }
    case 'digitisation': {
      // TT 01/2019/TT-BNV Điều 6.2.c: the seal image, red, real size, top right of page 1.
      const p = firstPageSize(pdf);
      if (!p) throw notFound('page 1');
      const w = request.widthMm * MM;
      const h = (w * request.imageSize.height) / request.imageSize.width;
      rect = { page: 0, x: p.width - 15 * MM - w, y: p.height - 10 * MM - h, width: w, height: h };
      drawing = { width: w, height: h, image: { png: request.image, x: 0, y: 0, width: w, height: h } };
      break;
    }
    case 'attachment':
    case 'copy': {
      // NĐ 30/2020 Phụ lục I.II.8.b and Phần II: no image, top right of page 1, Times 10, black.
      const p = firstPageSize(pdf);
      if (!p) throw notFound('page 1');
      const width = (await textWidth(fontPath, request.text, 10)) + 2;
      rect = { page: 0, x: p.width - 15 * MM - width, y: p.height - 10 * MM - 14, width, height: 14 };
      drawing = { width, height: 14, lines: [{ text: request.text, x: 1, y: 4, size: 10 }] };
      break;
    }
  }
  const fixed = rect;
  const builder: AppearanceBuilder = async (_reader, update): Promise<SignatureAppearance> => {
    const normal = await drawAppearance(update, drawing, fontPath);
    return { pageIndex: fixed.page, rect: [fixed.x, fixed.y, fixed.x + fixed.width, fixed.y + fixed.height], normal };
  };
  return { builder, rect: fixed };
}
