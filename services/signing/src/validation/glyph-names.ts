// Glyph names to characters (Adobe Glyph List Specification), for simple fonts' encodings and CFF glyph names.
import { GLYPH_UNICODE } from './glyph-tables';

const BMP = (cp: number): boolean => cp < 0xd800 || (cp > 0xdfff && cp <= 0xffff);

/**
 * The characters a glyph name stands for (Adobe Glyph List Specification, "mapping a glyph name
 * to a Unicode character string"): a suffix after a period is dropped, components joined by
 * underscores are read one by one, each a name of the list, `uniXXXX…` (BMP code points) or
 * `uXXXX` to `uXXXXXX`. Null when a component is none of these.
 */
export function glyphCharacters(name: string): string | null {
  const base = name.split('.')[0] as string;
  if (!base) return null;
  let out = '';
  for (const part of base.split('_')) {
    const listed = GLYPH_UNICODE.get(part);
    if (listed !== undefined) {
      out += String.fromCodePoint(listed);
      continue;
    }
    const uni = /^uni((?:[0-9A-F]{4})+)$/.exec(part);
    if (uni) {
      const cps = (uni[1] as string).match(/.{4}/g)?.map((h) => parseInt(h, 16)) ?? [];
      if (!cps.every(BMP)) return null;
      out += String.fromCharCode(...cps);
      continue;
    }
    const u = /^u([0-9A-F]{4,6})$/.exec(part);
    const cp = u ? parseInt(u[1] as string, 16) : NaN;
    if (!u || !(BMP(cp) || (cp > 0xffff && cp <= 0x10ffff))) return null;
    out += String.fromCodePoint(cp);
  }
  return out;
}
