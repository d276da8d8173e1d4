// The text a form field's appearance stream shows: the string operands of its text-showing
// operators, decoded in the font each is shown in (simple fonts through their encoding and glyph
// names, composite fonts through their checked /ToUnicode map).
import { PdfStream, isName, isRef } from '@vanthu/pdf';
import type { PdfDict, PdfObject, PdfReader } from '@vanthu/pdf';
import { compositeDecoder } from './composite-fonts';
import { operations } from './content-tokens';
import { dictOf } from './pdf-graph';
import { simpleDecoder } from './simple-fonts';
import type { FontDecoder } from './simple-fonts';

const ESCAPES: Record<string, number> = { n: 0x0a, r: 0x0d, t: 0x09, b: 0x08, f: 0x0c };

/** Literal and hex string operands of a content stream, in order (ISO 32000-1 §7.3.4). */
export function contentStrings(data: Buffer, max = 10_000): Buffer[] {
  const out: Buffer[] = [];
  let i = 0;
  while (i < data.length && out.length < max) {
    const c = data[i];
    if (c === 0x25) {
      while (i < data.length && data[i] !== 0x0a && data[i] !== 0x0d) i += 1; // comment
    } else if (c === 0x28) {
      const bytes: number[] = [];
      let depth = 1;
      i += 1;
      while (i < data.length && depth > 0) {
        const d = data[i] as number;
        if (d === 0x5c) {
          const e = String.fromCharCode(data[i + 1] ?? 0);
          if (/[0-7]/.test(e)) {
            let oct = '';
            while (oct.length < 3 && /[0-7]/.test(String.fromCharCode(data[i + 1] ?? 0))) {
              oct += String.fromCharCode(data[i + 1] as number);
              i += 1;
            }
            bytes.push(parseInt(oct, 8) & 0xff);
          } else if (e === '\n' || e === '\r') i += 1;
          else {
            bytes.push(ESCAPES[e] ?? (data[i + 1] as number));
            i += 1;
          }
        } else {
          if (d === 0x28) depth += 1;
          if (d === 0x29) depth -= 1;
          if (depth > 0) bytes.push(d);
        }
        i += 1;
      }
      out.push(Buffer.from(bytes));
      continue;
    } else if (c === 0x3c && data[i + 1] !== 0x3c) {
      const end = data.indexOf(0x3e, i);
      if (end < 0) break;
      const hex = data.toString('latin1', i + 1, end).replace(/[^0-9a-fA-F]/g, '');
      out.push(Buffer.from(hex.length % 2 ? `${hex}0` : hex, 'hex'));
      i = end + 1;
      continue;
    } else if (c === 0x3c) i += 1;
    i += 1;
  }
  return out;
}

/** Fonts an appearance may select by name: its own /Resources first, then the form's /DR (ISO 32000-1 §12.7.3.3). */
function fontsOf(reader: PdfReader, appearance: PdfStream, dr: PdfDict | undefined, rev: number): Map<string, PdfDict> {
  const at = (o: PdfObject | undefined): PdfObject => (isRef(o) ? reader.objectAtRevision(o.num, rev) : (o ?? null));
  const out = new Map<string, PdfDict>();
  for (const res of [dictOf(at(appearance.dict.get('Resources'))), dr]) {
    const fonts = dictOf(at(res?.get('Font')));
    for (const [name, f] of fonts?.map ?? []) {
      const d = dictOf(at(f));
      if (d && !out.has(name)) out.set(name, d);
    }
  }
  return out;
}

/** Text-showing operators (ISO 32000-1 §9.4.3): Tj, ', " and TJ; their string operands are shown text. */
const SHOWING = new Set(['Tj', "'", '"', 'TJ']);

/** The bytes of a string operand as `operations` keeps it: a literal as written, or `<hex>`. */
function operandBytes(token: string): Buffer | null {
  if (token.startsWith('(')) return contentStrings(Buffer.from(token, 'latin1'), 1)[0] ?? Buffer.alloc(0);
  if (token.startsWith('<') && token !== '<<') {
    const hex = token.slice(1, -1);
    return Buffer.from(hex.length % 2 ? `${hex}0` : hex, 'hex');
  }
  return null;
}

export type ShownText = { text: string } | { problem: string };

/**
 * The text an appearance shows, read operator by operator with the font each string is shown
 * in: simple fonts one byte per glyph through their encoding to glyph names and characters
 * (simple-fonts.ts: /Helv in WinAnsi, /Differences), composite fonts (Type0, Identity-H: how
 * Vietnamese is filled) through their /ToUnicode map checked against the font program's own
 * character map (composite-fonts.ts). A problem instead when it cannot be read here: text shown
 * with no font selected, another kind of font, a form XObject or an inline image drawn inside
 * (text could hide there), an unreadable stream. Whitespace is left out: line breaks of a multi-line field are not the value's.
 */
export function shownText(reader: PdfReader, appearance: PdfObject, dr: PdfDict | undefined, rev: number): ShownText {
  if (!(appearance instanceof PdfStream)) return { problem: 'the appearance is not a stream' };
  try {
    const fonts = fontsOf(reader, appearance, dr, rev);
    const ops = operations(reader.streamData(appearance), 200_000);
    if (!ops) return { problem: 'the appearance cannot be read (inline image or bad syntax)' };
    const decoders = new Map<string, FontDecoder | string>();
    let font: string | null = null;
    let text = '';
    for (const op of ops) {
      const operator = op[op.length - 1] as string;
      if (operator === 'Tf') font = (op[0] ?? '').replace(/^\//, '');
      else if (operator === 'Do') return { problem: 'the appearance draws a form XObject or image inside it' };
      if (!SHOWING.has(operator)) continue;
      if (font === null) return { problem: 'text shown with no font selected' };
      let decoder = decoders.get(font);
      if (decoder === undefined) {
        const dict = fonts.get(font);
        decoder = !dict
          ? `font /${font} is not in the appearance's or the form's resources`
          : isName(dict.get('Subtype'), 'Type0')
            ? compositeDecoder(reader, dict, rev)
            : simpleDecoder(reader, dict, rev);
        decoders.set(font, decoder);
      }
      if (typeof decoder === 'string') return { problem: decoder };
      for (const token of op.slice(0, -1)) {
        const bytes = operandBytes(token);
        if (!bytes) continue;
        const decoded = decoder.decode(bytes);
        if ('problem' in decoded) return decoded;
        text += decoded.text;
      }
    }
    return { text: text.replace(/\s+/g, '').normalize('NFC') };
  } catch {
    return { problem: 'the appearance cannot be read' };
  }
}
