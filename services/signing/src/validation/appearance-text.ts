// The text a form field's appearance stream shows, as far as it can be read without a font
// program: the string operands of its text operators, in a simple (one byte per glyph) font.
import { PdfStream, isName, isRef } from '@vanthu/pdf';
import type { PdfDict, PdfObject, PdfReader } from '@vanthu/pdf';
import { dictOf } from './pdf-graph';

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

/** Fonts an appearance may select: its own /Resources and the form's /DR (ISO 32000-1 §12.7.3.3). */
function fontsOf(reader: PdfReader, appearance: PdfStream, dr: PdfDict | undefined, rev: number): PdfDict[] {
  const at = (o: PdfObject | undefined): PdfObject => (isRef(o) ? reader.objectAtRevision(o.num, rev) : (o ?? null));
  const out: PdfDict[] = [];
  for (const res of [dictOf(at(appearance.dict.get('Resources'))), dr]) {
    const fonts = dictOf(at(res?.get('Font')));
    for (const f of fonts?.map.values() ?? []) {
      const d = dictOf(at(f));
      if (d) out.push(d);
    }
  }
  return out;
}

/**
 * The text an appearance shows, or null when it cannot be read here (a composite font, whose
 * codes need the font's CMap, or an unreadable stream). Whitespace is left out: line breaks of a
 * multi-line field are not the value's.
 */
export function shownText(
  reader: PdfReader,
  appearance: PdfObject,
  dr: PdfDict | undefined,
  rev: number,
): string | null {
  if (!(appearance instanceof PdfStream)) return null;
  try {
    if (fontsOf(reader, appearance, dr, rev).some((f) => isName(f.get('Subtype'), 'Type0'))) return null;
    return contentStrings(reader.streamData(appearance))
      .map((b) => b.toString('latin1'))
      .join('')
      .replace(/\s+/g, '');
  } catch {
    return null;
  }
}
