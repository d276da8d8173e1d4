// Enough of a Compact Font Format reader (Adobe Technical Note 5176) to say which glyphs a CFF
// font program has and what it calls them: the charset (glyph id → name, or → CID in a
// CID-keyed font) and the built-in encoding (code → glyph), read from the Top DICT. Used to
// check that the glyph a simple font's encoding names exists in its Type1C program, and that a
// composite font's /ToUnicode agrees with a CFF program's glyph names.
import { CFF_STANDARD_STRINGS, StandardEncoding } from './glyph-tables';

/** Bounds for hostile programs. */
const MAX_PROGRAM = 32 * 1024 * 1024;
const MAX_GLYPHS = 65_536;

export type CffProgram = {
  /** Glyph id → glyph name (name-keyed fonts), index 0 being .notdef. */
  names: string[] | null;
  /** Glyph id → CID (CID-keyed fonts, TN 5176 §18). */
  cids: number[] | null;
  /** Code → glyph name of the built-in encoding (name-keyed fonts only). */
  encoding: (string | undefined)[] | null;
};

type Index = { items: [start: number, end: number][]; end: number };

function readIndex(b: Buffer, at: number): Index {
  const count = b.readUInt16BE(at);
  if (count === 0) return { items: [], end: at + 2 };
  const offSize = b[at + 2] as number;
  if (offSize < 1 || offSize > 4) throw new Error('bad INDEX');
  const offsetAt = (i: number): number => b.readUIntBE(at + 3 + i * offSize, offSize);
  const base = at + 2 + (count + 1) * offSize;
  const items: [number, number][] = [];
  for (let i = 0; i < count; i += 1) {
    const s = base + offsetAt(i);
    const e = base + offsetAt(i + 1);
    if (e < s || e > b.length) throw new Error('bad INDEX');
    items.push([s, e]);
  }
  return { items, end: base + offsetAt(count) };
}

/** A DICT's operators (12 x as 1200 + x) with their operands (TN 5176 §4). */
function readDict(b: Buffer, start: number, end: number): Map<number, number[]> {
  const out = new Map<number, number[]>();
  let operands: number[] = [];
  let i = start;
  while (i < end) {
    const b0 = b[i] as number;
    if (b0 <= 21) {
      const op = b0 === 12 ? 1200 + (b[i + 1] as number) : b0;
      i += b0 === 12 ? 2 : 1;
      out.set(op, operands);
      operands = [];
    } else if (b0 === 28) {
      operands.push(b.readInt16BE(i + 1));
      i += 3;
    } else if (b0 === 29) {
      operands.push(b.readInt32BE(i + 1));
      i += 5;
    } else if (b0 === 30) {
      // A real number: nibbles up to 0xf; its value is not needed here.
      i += 1;
      while (i < end && ((b[i] as number) & 0x0f) !== 0x0f && ((b[i] as number) & 0xf0) !== 0xf0) i += 1;
      i += 1;
      operands.push(0);
    } else if (b0 >= 32 && b0 <= 246) {
      operands.push(b0 - 139);
      i += 1;
    } else if (b0 >= 247 && b0 <= 250) {
      operands.push((b0 - 247) * 256 + (b[i + 1] as number) + 108);
      i += 2;
    } else if (b0 >= 251 && b0 <= 254) {
      operands.push(-(b0 - 251) * 256 - (b[i + 1] as number) - 108);
      i += 2;
    } else throw new Error('bad DICT');
  }
  return out;
}

/** The charset: glyph id → SID (or CID), glyph 0 being .notdef (TN 5176 §13). */
function readCharset(b: Buffer, at: number, glyphs: number): number[] {
  const out = [0];
  const format = b[at] as number;
  let i = at + 1;
  if (format === 0) {
    while (out.length < glyphs) {
      out.push(b.readUInt16BE(i));
      i += 2;
    }
  } else if (format === 1 || format === 2) {
    while (out.length < glyphs) {
      const first = b.readUInt16BE(i);
      const left = format === 1 ? (b[i + 2] as number) : b.readUInt16BE(i + 2);
      i += format === 1 ? 3 : 4;
      for (let k = 0; k <= left && out.length < glyphs; k += 1) out.push(first + k);
    }
  } else throw new Error('bad charset');
  return out;
}

/** The CFF program in `data` (a bare CFF: FontFile3 /Type1C or /CIDFontType0C), or null when it cannot be read. */
export function readCff(data: Buffer): CffProgram | null {
  if (data.length < 4 || data.length > MAX_PROGRAM || data[0] !== 1) return null;
  try {
    const names = readIndex(data, data[2] as number);
    const top = readIndex(data, names.end);
    const strings = readIndex(data, top.end);
    const first = top.items[0];
    if (!first) return null;
    const dict = readDict(data, first[0], first[1]);
    const charStrings = dict.get(17)?.[0];
    if (charStrings === undefined) return null;
    const glyphs = data.readUInt16BE(charStrings);
    if (glyphs === 0 || glyphs > MAX_GLYPHS) return null;
    const charset = dict.get(15)?.[0] ?? 0;
    const cidKeyed = dict.has(1230);
    // The predefined charsets (ISOAdobe 0, Expert 1, ExpertSubset 2): only ISOAdobe's SIDs are glyph order.
    if (charset === 1 || charset === 2) return null;
    const sids =
      charset === 0 ? Array.from({ length: Math.min(glyphs, 229) }, (_, g) => g) : readCharset(data, charset, glyphs);
    if (cidKeyed) return { names: null, cids: sids, encoding: null };
    const name = (sid: number): string => {
      if (sid < CFF_STANDARD_STRINGS.length) return CFF_STANDARD_STRINGS[sid] as string;
      const item = strings.items[sid - CFF_STANDARD_STRINGS.length];
      return item ? data.toString('latin1', item[0], item[1]) : '';
    };
    const glyphNames = sids.map(name);
    return { names: glyphNames, cids: null, encoding: builtInEncoding(data, dict.get(16)?.[0] ?? 0, glyphNames, name) };
  } catch {
    return null;
  }
}

/** The built-in encoding (TN 5176 §12): Standard (0), Expert (1, not read: null) or custom, with supplements. */
function builtInEncoding(
  b: Buffer,
  at: number,
  glyphNames: string[],
  name: (sid: number) => string,
): (string | undefined)[] | null {
  if (at === 0) return StandardEncoding.map((n) => n || undefined);
  if (at === 1) return null;
  const out: (string | undefined)[] = new Array(256).fill(undefined);
  const format = b[at] as number;
  let i = at + 1;
  if ((format & 0x7f) === 0) {
    const n = b[i] as number;
    for (let k = 0; k < n; k += 1) out[b[i + 1 + k] as number] = glyphNames[k + 1];
    i += 1 + n;
  } else if ((format & 0x7f) === 1) {
    const ranges = b[i] as number;
    let gid = 1;
    for (let k = 0; k < ranges; k += 1) {
      const first = b[i + 1 + k * 2] as number;
      const left = b[i + 2 + k * 2] as number;
      for (let c = first; c <= first + left && c < 256; c += 1) out[c] = glyphNames[gid++];
    }
    i += 1 + ranges * 2;
  } else return null;
  if (format & 0x80) {
    const sups = b[i] as number;
    for (let k = 0; k < sups; k += 1) out[b[i + 1 + k * 3] as number] = name(b.readUInt16BE(i + 2 + k * 3));
  }
  return out;
}

/** The 'CFF ' table of an OpenType program (FontFile3 /OpenType), or null when it has none. */
export function openTypeCff(program: Buffer): Buffer | null {
  if (program.length < 12 || program.length > MAX_PROGRAM) return null;
  const tables = program.readUInt16BE(4);
  for (let i = 0; i < tables && 12 + i * 16 + 16 <= program.length; i += 1) {
    const at = 12 + i * 16;
    if (program.toString('latin1', at, at + 4) !== 'CFF ') continue;
    const offset = program.readUInt32BE(at + 8);
    const length = program.readUInt32BE(at + 12);
    return offset + length <= program.length ? program.subarray(offset, offset + length) : null;
  }
  return null;
}
