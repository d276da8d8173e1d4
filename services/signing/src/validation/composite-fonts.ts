// Reading the text a composite font shows (ISO 32000-1 §9.7): a Type0 font with the Identity-H
// encoding over a CIDFontType2 (TrueType) descendant, which is how Vietnamese form fields are
// filled (pdf-lib with fontkit, Acrobat, iText), or over a CIDFontType0 (CFF) one, as pdf-lib
// embeds an OpenType font with CFF outlines: two-byte codes that are glyph ids (or CIDs). The codes
// become text through the font's /ToUnicode CMap (§9.10.3), and that map is checked against the
// embedded program's own character map (or a CFF program's glyph names) where it has one, so a
// fill cannot claim one text while its glyphs draw another.
import { PdfStream, isArray, isName, isRef } from '@vanthu/pdf';
import type { PdfDict, PdfObject, PdfReader } from '@vanthu/pdf';
import { openTypeCff, readCff } from './cff-fonts';
import { dictOf } from './pdf-graph';
import { glyphCharacters } from './glyph-names';
import type { FontDecoder } from './simple-fonts';

/** Bounds for hostile fonts: entries of a ToUnicode map, bytes of a font program read. */
const MAX_MAPPINGS = 70_000;
const MAX_PROGRAM = 32 * 1024 * 1024;

const hexValue = (h: string): number => parseInt(h, 16);

/** UTF-16BE (the destination of a ToUnicode entry, §9.10.3) as a string. */
function utf16(hex: string): string {
  const b = Buffer.from(hex.length % 4 === 0 ? hex : hex.padStart(Math.ceil(hex.length / 4) * 4, '0'), 'hex');
  let out = '';
  for (let i = 0; i + 1 < b.length; i += 2) out += String.fromCharCode(b.readUInt16BE(i));
  return out;
}

/** bfchar and bfrange entries of a ToUnicode CMap (§9.10.3), codes as numbers; null when unreadable or too large. */
export function parseToUnicode(data: Buffer): Map<number, string> | null {
  const text = data.toString('latin1');
  const map = new Map<number, string>();
  const sections = /begin(bfchar|bfrange)([\s\S]*?)end\1/g;
  for (let m = sections.exec(text); m; m = sections.exec(text)) {
    const body = m[2] as string;
    if (m[1] === 'bfchar') {
      for (const e of body.matchAll(/<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]*)>/g)) {
        map.set(hexValue(e[1] as string), utf16(e[2] as string));
        if (map.size > MAX_MAPPINGS) return null;
      }
      continue;
    }
    for (const e of body.matchAll(/<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>\s*(<[0-9a-fA-F]*>|\[[^\]]*\])/g)) {
      const lo = hexValue(e[1] as string);
      const hi = hexValue(e[2] as string);
      if (hi < lo || hi - lo > MAX_MAPPINGS || map.size + (hi - lo) > MAX_MAPPINGS) return null;
      const dst = e[3] as string;
      if (dst.startsWith('[')) {
        const items = [...dst.matchAll(/<([0-9a-fA-F]*)>/g)].map((x) => utf16(x[1] as string));
        items.forEach((s, i) => {
          if (lo + i <= hi) map.set(lo + i, s);
        });
      } else {
        // The last UTF-16 unit counts up along the range.
        const base = utf16(dst.slice(1, -1));
        const head = base.slice(0, -1);
        const last = base.charCodeAt(base.length - 1);
        for (let c = lo; c <= hi; c += 1) map.set(c, head + String.fromCharCode(last + (c - lo)));
      }
    }
  }
  return map;
}

/**
 * The glyph → characters map of a TrueType program's 'cmap' table (formats 4 and 12 of the
 * Unicode subtables), or null when the program has none (subsets often leave it out).
 */
export function trueTypeCharacters(program: Buffer): Map<number, string[]> | null {
  if (program.length < 12 || program.length > MAX_PROGRAM) return null;
  const tables = program.readUInt16BE(4);
  let cmap = -1;
  for (let i = 0; i < tables && 12 + i * 16 + 16 <= program.length; i += 1) {
    const at = 12 + i * 16;
    if (program.toString('latin1', at, at + 4) === 'cmap') cmap = program.readUInt32BE(at + 8);
  }
  if (cmap < 0 || cmap + 4 > program.length) return null;
  const count = program.readUInt16BE(cmap + 2);
  const out = new Map<number, string[]>();
  const add = (gid: number, cp: number): void => {
    if (gid === 0 || cp > 0x10ffff) return;
    const s = String.fromCodePoint(cp);
    const list = out.get(gid);
    if (!list) out.set(gid, [s]);
    else if (!list.includes(s)) list.push(s);
  };
  let found = false;
  for (let i = 0; i < count && cmap + 4 + i * 8 + 8 <= program.length; i += 1) {
    const rec = cmap + 4 + i * 8;
    const platform = program.readUInt16BE(rec);
    const encoding = program.readUInt16BE(rec + 2);
    // Unicode subtables: platform 0, or Windows (3) with BMP (1) or full repertoire (10).
    if (!(platform === 0 || (platform === 3 && (encoding === 1 || encoding === 10)))) continue;
    const sub = cmap + program.readUInt32BE(rec + 4);
    if (sub + 4 > program.length) continue;
    const format = program.readUInt16BE(sub);
    if (format === 4 && readFormat4(program, sub, add)) found = true;
    if (format === 12 && readFormat12(program, sub, add)) found = true;
  }
  return found ? out : null;
}

function readFormat4(p: Buffer, sub: number, add: (gid: number, cp: number) => void): boolean {
  if (sub + 14 > p.length) return false;
  const segX2 = p.readUInt16BE(sub + 6);
  const ends = sub + 14;
  const starts = ends + segX2 + 2;
  const deltas = starts + segX2;
  const ranges = deltas + segX2;
  if (ranges + segX2 > p.length) return false;
  for (let s = 0; s < segX2; s += 2) {
    const end = p.readUInt16BE(ends + s);
    const start = p.readUInt16BE(starts + s);
    const delta = p.readUInt16BE(deltas + s);
    const rangeOffset = p.readUInt16BE(ranges + s);
    if (start > end) return false;
    for (let c = start; c <= end && c !== 0xffff; c += 1) {
      let gid: number;
      if (rangeOffset === 0) gid = (c + delta) & 0xffff;
      else {
        const at = ranges + s + rangeOffset + (c - start) * 2;
        if (at + 2 > p.length) return false;
        const g = p.readUInt16BE(at);
        gid = g === 0 ? 0 : (g + delta) & 0xffff;
      }
      add(gid, c);
    }
  }
  return true;
}

function readFormat12(p: Buffer, sub: number, add: (gid: number, cp: number) => void): boolean {
  if (sub + 16 > p.length) return false;
  const groups = p.readUInt32BE(sub + 12);
  if (sub + 16 + groups * 12 > p.length || groups > MAX_MAPPINGS) return false;
  let total = 0;
  for (let g = 0; g < groups; g += 1) {
    const at = sub + 16 + g * 12;
    const start = p.readUInt32BE(at);
    const end = p.readUInt32BE(at + 4);
    const gid = p.readUInt32BE(at + 8);
    if (end < start || (total += end - start + 1) > 0x110000) return false;
    for (let c = start; c <= end; c += 1) add(gid + (c - start), c);
  }
  return true;
}

const nfd = (s: string): string => s.normalize('NFD');

/** What a composite font's program says each glyph draws: characters (a Unicode cmap) or a glyph name (a name-keyed CFF). */
type GlyphSource = {
  /** Glyph id of a CID; -1 when the program has no glyph for it. */
  glyph: (cid: number) => number;
  /** The characters the program says glyph `gid` draws, or null when it does not say. */
  drawn: (gid: number) => string[] | null;
};

/** The glyph source of a CIDFontType0 descendant: a CFF program, bare (CIDFontType0C) or in an OpenType wrapper. */
function cffGlyphs(reader: PdfReader, program: PdfObject): GlyphSource | string {
  if (!(program instanceof PdfStream)) return 'a composite font whose CFF program is not embedded';
  const data = reader.streamData(program);
  const wrapped = isName(program.dict.get('Subtype'), 'OpenType');
  if (!wrapped && !isName(program.dict.get('Subtype'), 'CIDFontType0C'))
    return 'a composite font with a CFF program of a kind not read here';
  const cff = readCff(wrapped ? (openTypeCff(data) ?? Buffer.alloc(0)) : data);
  if (!cff) return 'a composite font whose CFF program cannot be read';
  const characters = wrapped ? trueTypeCharacters(data) : null;
  const count = (cff.names ?? cff.cids ?? []).length;
  // A CID-keyed program's charset maps glyphs to CIDs; in a name-keyed one the CID is the glyph id (ISO 32000-2 §9.7.4.2).
  const byCid = cff.cids ? new Map(cff.cids.map((cid, gid) => [cid, gid])) : null;
  return {
    glyph: (cid) => (byCid ? (byCid.get(cid) ?? -1) : cid < count ? cid : -1),
    drawn: (gid) => {
      const listed = characters?.get(gid);
      if (listed) return listed;
      const name = cff.names?.[gid];
      const chars = name ? glyphCharacters(name) : null;
      return chars === null ? null : [chars];
    },
  };
}

/**
 * A decoder for a Type0 font with Identity-H over a TrueType (CIDFontType2) or CFF (CIDFontType0)
 * descendant, as of revision `rev`; a reason instead when the font is of another kind (another
 * CMap, no ToUnicode, a program that cannot be read).
 */
export function compositeDecoder(reader: PdfReader, font: PdfDict, rev: number): FontDecoder | string {
  const at = (o: PdfObject | undefined): PdfObject => (isRef(o) ? reader.objectAtRevision(o.num, rev) : (o ?? null));
  if (!isName(font.get('Encoding'), 'Identity-H')) return 'a composite font with another encoding than Identity-H';
  const descendants = at(font.get('DescendantFonts'));
  const cid = dictOf(at(isArray(descendants) ? descendants[0] : undefined));
  const trueType = isName(cid?.get('Subtype'), 'CIDFontType2');
  if (!cid || !(trueType || isName(cid.get('Subtype'), 'CIDFontType0')))
    return 'a composite font whose descendant is neither TrueType nor CFF';
  const toUnicode = at(font.get('ToUnicode'));
  if (!(toUnicode instanceof PdfStream)) return 'a composite font with no /ToUnicode map';
  const map = parseToUnicode(reader.streamData(toUnicode));
  if (!map) return 'a composite font whose /ToUnicode map cannot be read';
  const descriptor = dictOf(at(cid.get('FontDescriptor')));
  let source: GlyphSource;
  if (trueType) {
    // CID → glyph: Identity (the default for CIDFontType2 written by every tool here) or a stream of two-byte glyph ids.
    const cidToGid = at(cid.get('CIDToGIDMap'));
    const gidMap = cidToGid instanceof PdfStream ? reader.streamData(cidToGid) : null;
    if (cidToGid !== null && !isName(cidToGid, 'Identity') && !gidMap)
      return 'a composite font with a bad /CIDToGIDMap';
    const program = at(descriptor?.get('FontFile2'));
    const characters = program instanceof PdfStream ? trueTypeCharacters(reader.streamData(program)) : null;
    source = {
      glyph: (code) => (gidMap ? (2 * code + 1 < gidMap.length ? gidMap.readUInt16BE(2 * code) : 0) : code),
      drawn: (gid) => characters?.get(gid) ?? null,
    };
  } else {
    const cff = cffGlyphs(reader, at(descriptor?.get('FontFile3')));
    if (typeof cff === 'string') return cff;
    source = cff;
  }
  return {
    decode: (bytes) => {
      if (bytes.length % 2 !== 0) return { problem: 'a string of an odd number of bytes in a two-byte font' };
      let text = '';
      for (let i = 0; i < bytes.length; i += 2) {
        const code = bytes.readUInt16BE(i);
        const chars = map.get(code);
        if (chars === undefined) return { problem: `glyph code ${code} has no character in /ToUnicode` };
        const gid = source.glyph(code);
        if (gid < 0) return { problem: `code ${code} selects no glyph of the font program` };
        const drawn = source.drawn(gid);
        // A glyph the program maps to characters must be claimed as one of them (a glyph reached
        // only through substitution, a ligature or a shaped form, has no entry to compare with).
        if (drawn && !drawn.some((d) => nfd(d) === nfd(chars)))
          return {
            problem: `glyph ${gid} draws "${drawn[0]}" but /ToUnicode calls it "${chars}"`,
          };
        text += chars;
      }
      return { text };
    },
  };
}
