import { AppError, vietnamClockText } from '@vanthu/platform';
import { PdfReader, isArray } from '@vanthu/pdf';
import type { SignatureAppearance } from '@vanthu/pdf';
import type { AppearanceBuilder } from '../pades/pades-engine';
import { drawAppearance, textWidth } from './draw-appearance';
import type { AppearanceDrawing } from './draw-appearance';
import {
  columnPart,
  endOfBlock,
  extractText,
  findAnchor,
  nearbyLines,
  reconstructLines,
  searchKey,
  segments,
} from './text-positions';
import type { TextBox, TextLine } from './text-positions';

export type Rect = { page: number; x: number; y: number; width: number; height: number };
export type Anchors = { endOfContent: string[]; recipients: string[] };
// Matching ignores whitespace and case, so "Nơi nhận" also finds "Nơi nhận:", "Nơi nhận :" and
// "NƠI NHẬN:", and "./." finds the mark glued to the last word or standing alone.
export const defaultAnchors: Anchors = { endOfContent: ['./.'], recipients: ['Nơi nhận'] };

const MM = 72 / 25.4;
/** Nothing is placed closer than 10 mm to the top or bottom edge of a page. */
const EDGE = 10 * MM;

/** What to draw and where, per signature kind of NĐ 30/2020 Phụ lục I. `rect` overrides the placement. */
export type AppearanceRequest =
  | {
      kind: 'initial';
      step: 'content' | 'format';
      image?: Buffer;
      imageSize?: { width: number; height: number };
      signerName: string;
      time: Date;
      anchors: Anchors;
      rect?: Rect;
    }
  | {
      kind: 'approval';
      image: Buffer;
      imageSize: { width: number; height: number };
      signerName: string;
      positionText?: string;
      /** TM., Q., KT., TL. or TUQ. (Phụ lục I.II.7.b): printed at the top of the stamp with the authority it names. */
      authorityPrefix?: string;
      rect?: Rect;
    }
  | {
      kind: 'issue';
      image: Buffer;
      widthMm: number;
      imageSize: { width: number; height: number };
      approvalRect: Rect;
      rect?: Rect;
    }
  | { kind: 'attachment'; text: string; rect?: Rect }
  | { kind: 'copy'; text: string; rect?: Rect }
  | { kind: 'digitisation'; image: Buffer; widthMm: number; imageSize: { width: number; height: number }; rect?: Rect };

const fit = (w: number, h: number, maxW: number, maxH: number): { width: number; height: number } => {
  const s = Math.min(maxW / w, maxH / h);
  return { width: w * s, height: h * s };
};

export type PageBox = { x0: number; y0: number; x1: number; y1: number };

/** Each page's visible box (CropBox, else MediaBox, inherited through the page tree) from the PDF structure. */
export function pageBoxes(pdf: Buffer): PageBox[] {
  const reader = PdfReader.fromBuffer(pdf);
  return reader.pages().map((page) => {
    const box = reader.inherited(page.dict, 'CropBox') ?? reader.inherited(page.dict, 'MediaBox');
    const [a = 0, b = 0, c = 595.28, d = 841.89] = isArray(box) && box.length === 4 ? box.map(Number) : [];
    return { x0: Math.min(a, c), y0: Math.min(b, d), x1: Math.max(a, c), y1: Math.max(b, d) };
  });
}

/** An explicit rectangle must lie on an existing page, inside its box. */
export function assertRectOnPage(rect: Rect, boxes: PageBox[]): void {
  const box = boxes[rect.page];
  const refuse = (message: string): never => {
    throw new AppError('UNPROCESSABLE', `the appearance rectangle ${message}`, {
      errors: [{ field: 'rect', message }],
    });
  };
  if (!box) refuse(`is on page index ${rect.page}, but the document has ${boxes.length} page(s) (0-based)`);
  const b = box as PageBox;
  const e = 0.01;
  if (!(rect.width > 0 && rect.height > 0)) refuse('must have a positive width and height');
  if (rect.x < b.x0 - e || rect.y < b.y0 - e || rect.x + rect.width > b.x1 + e || rect.y + rect.height > b.y1 + e)
    refuse(
      `[${rect.x}, ${rect.y}, ${rect.x + rect.width}, ${rect.y + rect.height}] lies outside page ${rect.page}'s box [${b.x0}, ${b.y0}, ${b.x1}, ${b.y1}]`,
    );
}

const quote = (s: string): string => `"${s.length > 80 ? `${s.slice(0, 77)}…` : s}"`;

/** Why automatic placement failed: what was looked for and what the document has near where it should be. */
export class AnchorNotFoundError extends AppError {
  readonly lookedFor: string[];
  readonly nearby: { page: number; text: string }[];
  constructor(what: string, lookedFor: string[], nearby: TextLine[]) {
    const found = nearby.map((l) => ({ page: l.page, text: l.text }));
    super(
      'UNPROCESSABLE',
      `cannot find ${what}: looked for ${lookedFor.map(quote).join(', ')} on the reconstructed text lines; ${
        found.length
          ? `found nearby ${found.map((f) => `page ${f.page + 1} ${quote(f.text)}`).join('; ')}`
          : 'the document has no text layer'
      }. Give the appearance rectangle explicitly (rect)`,
      {
        errors: [
          { field: 'rect', message: `position not found; looked for ${lookedFor.map(quote).join(', ')}` },
          ...found.map((f) => ({ field: 'nearby', message: `page ${f.page + 1}: ${quote(f.text)}` })),
        ],
      },
    );
    this.lookedFor = lookedFor;
    this.nearby = found;
  }
}

/** Position lines of a signature block are upper case ("TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH"). */
const isPositionLine = (text: string): boolean =>
  (text.match(/\p{L}/gu) ?? []).length >= 2 && text === text.toLocaleUpperCase('vi');

/** Just below a line's descenders (about a third of the font size under the baseline). */
const underBaseline = (line: TextBox): number => line.y - 0.35 * (line.height || 12);

const clampX = (x: number, width: number, box: PageBox | undefined): number =>
  box ? Math.min(Math.max(x, box.x0), box.x1 - width) : x;
const clampY = (y: number, height: number, box: PageBox | undefined): number =>
  box ? Math.min(Math.max(y, box.y0), box.y1 - height) : y;

/**
 * Where the approval goes (NĐ 30/2020 Phụ lục I.II.7.d: centred between the position and the name). When
 * the block crosses a page (position lines end one page, the name opens the next), the image goes under
 * the position lines if that page has room for it, else above the name on its page.
 */
function approvalRect(
  lines: TextLine[][],
  boxes: PageBox[],
  request: Extract<AppearanceRequest, { kind: 'approval' }>,
  authority?: { width: number; height: number },
): Rect {
  const name = findAnchor(lines, [request.signerName]);
  if (!name)
    throw new AnchorNotFoundError("the signer's name", [request.signerName], nearbyLines(lines, [request.signerName]));
  const centreX = name.x + name.width / 2;
  const wantedPosition = request.positionText ? searchKey(request.positionText) : undefined;
  const positions = (page: number): (TextBox & { text: string })[] =>
    (lines[page] ?? [])
      .flatMap((line) => segments(line))
      .filter(
        (s) =>
          Math.abs(s.x + s.width / 2 - centreX) < 120 &&
          isPositionLine(s.text) &&
          (!wantedPosition || searchKey(s.text).includes(wantedPosition)),
      );
  const fitted = (boxH: number): { width: number; height: number } =>
    fit(request.imageSize.width, request.imageSize.height, 160, boxH);
  const place = (page: number, top: number, bottom: number): Rect => {
    const boxH = top - bottom;
    // The authority line takes its height at the top of the stamp; the image fits under it.
    const reserve = authority ? Math.min(authority.height, boxH / 2) : 0;
    const image = fitted(boxH - reserve);
    const size = { width: Math.max(image.width, authority?.width ?? 0), height: image.height + reserve };
    const box = boxes[page];
    return {
      page,
      x: clampX(centreX - size.width / 2, size.width, box),
      y: bottom + (boxH - size.height) / 2,
      width: size.width,
      height: size.height,
    };
  };
  const nameTop = name.y + name.height + 3;
  const above = positions(name.page).filter((s) => s.y > name.y + name.height && s.y - name.y < 300);
  const lookedFor = request.positionText
    ? [request.positionText]
    : ['an upper-case position line above the name (TM. …, KT. …, CHỦ TỊCH)'];
  if (above.length) {
    const position = above.sort((a, b) => a.y - b.y)[0] as TextBox;
    return place(name.page, underBaseline(position), Math.min(nameTop, underBaseline(position) - 20));
  }
  // The name opens its page: the position lines end the page before.
  const before = name.page > 0 ? positions(name.page - 1).sort((a, b) => a.y - b.y)[0] : undefined;
  if (!before)
    throw new AnchorNotFoundError(
      `the position line above the signer's name (page ${name.page + 1})`,
      lookedFor,
      nearbyLines(lines.slice(0, name.page + 1), lookedFor),
    );
  const previousBox = boxes[before.page];
  const roomUnderPosition = underBaseline(before) - ((previousBox?.y0 ?? 0) + EDGE);
  const nameBox = boxes[name.page];
  const textAboveName = (lines[name.page] ?? [])
    .flatMap((line) => columnPart(line, centreX - 120, centreX + 120))
    .filter((b) => b.y > name.y + name.height)
    .sort((a, b) => a.y - b.y)[0];
  const nameTopLimit = Math.min((nameBox?.y1 ?? 841.89) - EDGE, textAboveName ? textAboveName.y - 3 : Infinity);
  const roomAboveName = nameTopLimit - nameTop;
  const enough = 14 * MM;
  if (roomUnderPosition >= enough || (roomUnderPosition >= roomAboveName && roomUnderPosition >= 20))
    return place(before.page, underBaseline(before), underBaseline(before) - Math.min(roomUnderPosition, 40 * MM));
  if (roomAboveName >= 20) return place(name.page, nameTop + Math.min(roomAboveName, 40 * MM), nameTop);
  throw new AnchorNotFoundError(
    'room for the approval between the position lines and the name',
    lookedFor,
    nearbyLines(lines.slice(0, name.page + 1), lookedFor),
  );
}

const approvalLineSize = 8;

/**
 * The authority line an approval prints: the document's own position line that starts with the recorded prefix (the
 * last one before the signer's name, or before the explicit rectangle), as typed ("KT. CHỦ TỊCH", "TM. ỦY BAN NHÂN
 * DÂN"); without one, the prefix followed by the position the request names, or the prefix alone.
 */
function authorityLine(
  lines: TextLine[][],
  request: Extract<AppearanceRequest, { kind: 'approval' }>,
  rect: Rect | undefined,
): string {
  const prefix = request.authorityPrefix as string;
  const key = searchKey(prefix);
  const name = rect ? undefined : findAnchor(lines, [request.signerName]);
  const limit = rect
    ? { page: rect.page, y: rect.y + rect.height }
    : name
      ? { page: name.page, y: name.y + name.height }
      : undefined;
  const candidates = lines
    .flatMap((page) => page.flatMap((line) => segments(line)))
    .filter((s) => isPositionLine(s.text) && searchKey(s.text).startsWith(key) && searchKey(s.text).length > key.length)
    .filter((s) => !limit || s.page < limit.page || (s.page === limit.page && s.y >= limit.y - 1))
    .sort((a, b) => a.page - b.page || b.y - a.y);
  const found = candidates.at(-1);
  if (found) return found.text.normalize('NFC').replace(/\s+/g, ' ');
  return request.positionText ? `${prefix} ${request.positionText.normalize('NFC')}` : prefix;
}

/** Computes where the widget goes and what it shows. Returns the builder and the rectangle used. */
export async function planAppearance(
  pdf: Buffer,
  request: AppearanceRequest,
  fontPath: string,
): Promise<{ builder: AppearanceBuilder; rect: Rect }> {
  let lines: TextLine[][] | undefined;
  const text = async (): Promise<TextLine[][]> => (lines ??= reconstructLines(await extractText(pdf)));
  const boxes = pageBoxes(pdf);
  if (request.rect) assertRectOnPage(request.rect, boxes);
  let rect: Rect;
  let drawing: Parameters<typeof drawAppearance>[1];
  switch (request.kind) {
    case 'initial': {
      // The box fits its text (measured with the appearance font) so nothing is clipped.
      const twoLineImage =
        request.image && request.imageSize ? fit(request.imageSize.width, request.imageSize.height, 30, 20) : undefined;
      const clock = vietnamClockText(request.time);
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
      if (request.rect) rect = request.rect;
      else if (request.step === 'content') {
        // The unit leader initials right after the end of the content, "./." (the agency's quy chế;
        // NĐ 30/2020 Điều 12 makes the head of the drafting unit answer for the content).
        const all = await text();
        const mark = findAnchor(all, request.anchors.endOfContent);
        if (!mark)
          throw new AnchorNotFoundError(
            'the end-of-content mark',
            request.anchors.endOfContent,
            nearbyLines(all, request.anchors.endOfContent),
          );
        const box = boxes[mark.page];
        const pageRight = (box?.x1 ?? 595) - 15;
        rect = { page: mark.page, x: mark.x + mark.width + 6, y: mark.y - 14, width: twoLineWidth, height: 28 };
        // No room after the mark on its line: a one-line initial in the gap just below it.
        if (rect.x + rect.width > pageRight)
          rect = {
            page: mark.page,
            x: Math.max(box?.x0 ?? 0, Math.min(mark.x + mark.width, pageRight) - oneLineWidth),
            y: mark.y - 15,
            width: oneLineWidth,
            height: 12,
          };
      } else {
        // The format checker initials at the end of the Nơi nhận block (NĐ 30/2020 Điều 12: a
        // designated person answers for thể thức and kỹ thuật trình bày).
        const all = await text();
        const heading = findAnchor(all, request.anchors.recipients, { lineStart: true });
        if (!heading)
          throw new AnchorNotFoundError(
            'the recipients block',
            request.anchors.recipients,
            nearbyLines(all, request.anchors.recipients),
          );
        const box = boxes[heading.page];
        const last = endOfBlock(all, heading, (box?.x1 ?? 595) - (box?.x0 ?? 0));
        rect = {
          page: last.page,
          x: last.x,
          y: clampY(last.y - 32, 28, box),
          width: twoLineWidth,
          height: 28,
        };
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
      if (!request.authorityPrefix) {
        rect = request.rect ?? approvalRect(await text(), boxes, request);
        drawing = {
          width: rect.width,
          height: rect.height,
          image: { png: request.image, x: 0, y: 0, width: rect.width, height: rect.height },
        };
        break;
      }
      // NĐ 30/2020 Phụ lục I.II.7.b–d: the authority and position (box 7b, "KT. CHỦ TỊCH") stand above the
      // signature image (box 7c); the stamp prints the authority the approval was recorded under, so the page shows
      // it whatever the drafter typed.
      const all = await text();
      const authorityText = authorityLine(all, request, request.rect);
      const size = approvalLineSize;
      const measured = (await textWidth(fontPath, authorityText, size)) + 2;
      rect = request.rect ?? approvalRect(all, boxes, request, { width: measured, height: size + 3 });
      // An explicit rectangle keeps its size: the line shrinks to its width if it must.
      const lineSize = Math.max(4, Math.min(size, (size * (rect.width - 2)) / (measured - 2)));
      const lineWidth = (await textWidth(fontPath, authorityText, lineSize)) + 2;
      const lineHeight = Math.min(lineSize + 3, rect.height / 2);
      const image = fit(request.imageSize.width, request.imageSize.height, rect.width, rect.height - lineHeight);
      drawing = {
        width: rect.width,
        height: rect.height,
        image: { png: request.image, x: (rect.width - image.width) / 2, y: 0, ...image },
        lines: [
          {
            text: authorityText,
            x: Math.max(0, (rect.width - lineWidth) / 2) + 1,
            y: rect.height - lineHeight + 1 + 0.2 * lineSize,
            size: lineSize,
          },
        ],
      };
      break;
    }
    case 'issue': {
      // NĐ 30/2020 Phụ lục I.II.8.a: the seal at its real size covers about the left third of the
      // approval image, on the approval's page.
      if (request.rect) rect = request.rect;
      else {
        const a = request.approvalRect;
        const w = request.widthMm * MM;
        const h = (w * request.imageSize.height) / request.imageSize.width;
        const box = boxes[a.page];
        rect = {
          page: a.page,
          x: clampX(a.x + a.width / 3 - w, w, box),
          y: clampY(a.y + a.height / 2 - h / 2, h, box),
          width: w,
          height: h,
        };
      }
      drawing = imageDrawing(request.image, request.imageSize, rect);
      break;
    }
    case 'digitisation': {
      // TT 01/2019/TT-BNV Điều 6.2.c: the seal image, red, real size, top right of page 1.
      if (request.rect) rect = request.rect;
      else {
        const p = firstPage(boxes);
        const w = request.widthMm * MM;
        const h = (w * request.imageSize.height) / request.imageSize.width;
        rect = { page: 0, x: p.x1 - 15 * MM - w, y: p.y1 - 10 * MM - h, width: w, height: h };
      }
      drawing = imageDrawing(request.image, request.imageSize, rect);
      break;
    }
    case 'attachment':
    case 'copy': {
      // NĐ 30/2020 Phụ lục I.II.8.b and Phần II: no image, top right of page 1, Times 10, black.
      const width = (await textWidth(fontPath, request.text, 10)) + 2;
      if (request.rect) rect = request.rect;
      else {
        const p = firstPage(boxes);
        rect = { page: 0, x: p.x1 - 15 * MM - width, y: p.y1 - 10 * MM - 14, width, height: 14 };
      }
      drawing = {
        width: rect.width,
        height: rect.height,
        lines: [{ text: request.text, x: 1, y: Math.max(1, (rect.height - 10) / 2 + 2), size: 10 }],
      };
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

function firstPage(boxes: PageBox[]): PageBox {
  const p = boxes[0];
  if (!p)
    throw new AppError('UNPROCESSABLE', 'the document has no page to place the appearance on', {
      errors: [{ field: 'file', message: 'no page' }],
    });
  return p;
}

/** The image scaled to fit the rectangle, aspect kept, centred in it. */
function imageDrawing(png: Buffer, size: { width: number; height: number }, rect: Rect): AppearanceDrawing {
  const s = fit(size.width, size.height, rect.width, rect.height);
  return {
    width: rect.width,
    height: rect.height,
    image: { png, x: (rect.width - s.width) / 2, y: (rect.height - s.height) / 2, ...s },
  };
}
