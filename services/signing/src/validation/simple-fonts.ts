// Reading the text a simple font shows (ISO 32000-1 §9.6): one byte per glyph, the byte read
// through the font's encoding (§9.6.6: a base encoding of Annex D, or the font program's own,
// with /Differences over it) to a glyph name, and the name to characters through the Adobe
// Glyph List. This is how PDFBox and Acrobat fill fields with /Helv (Helvetica, WinAnsi) and how
// writers show a few non-Latin-1 letters in a simple font (/Differences naming uni1EC5 …).
// Where the font program is embedded, the glyph the encoding names must be one the program has:
// a name it lacks draws .notdef, not the character.
import { PdfStream, isArray, isDict, isName, isNumber, isRef } from '@vanthu/pdf';
import type { PdfDict, PdfObject, PdfReader } from '@vanthu/pdf';
import { openTypeCff, readCff } from './cff-fonts';
import { trueTypeCharacters } from './composite-fonts';
import { glyphCharacters } from './glyph-names';
import { MacRomanEncoding, StandardEncoding, WinAnsiEncoding } from './glyph-tables';
import { dictOf } from './pdf-graph';

export type FontDecoder = {
  /** The text of a string operand, or a reason it cannot be read or does not hold. */
  decode: (bytes: Buffer) => { text: string } | { problem: string };
};

const MAX_PROGRAM = 32 * 1024 * 1024;

/** The base encodings a simple font may name (ISO 32000-1 §9.6.6.1, Annex D); MacExpertEncoding is not read here. */
const BASE_ENCODINGS: Record<string, readonly string[]> = {
  StandardEncoding,
  WinAnsiEncoding,
  MacRomanEncoding,
};

/** The standard 14 fonts (§9.6.2.2) with their own symbol sets: no text encoding applies without their programs. */
const SYMBOL_FONTS = new Set(['Symbol', 'ZapfDingbats']);
/** FontDescriptor /Flags bit 3, Symbolic (§9.8.2, Table 123). */
const SYMBOLIC = 4;

/** A Type1 program's built-in encoding and glyph names (Adobe Type 1 Font Format, ch. 7 and §7.2 eexec). */
function readType1(
  program: Buffer,
  length1: number,
): { encoding: (string | undefined)[] | null; names: Set<string> } | null {
  if (program.length > MAX_PROGRAM || length1 <= 0 || length1 > program.length) return null;
  const clear = program.toString('latin1', 0, length1);
  let encoding: (string | undefined)[] | null = null;
  if (/\/Encoding\s+StandardEncoding\s+def/.test(clear)) encoding = StandardEncoding.map((n) => n || undefined);
  else {
    const at = clear.indexOf('/Encoding');
    if (at >= 0) {
      encoding = new Array(256).fill(undefined);
      const stop = clear.indexOf('readonly def', at);
      const body = clear.slice(at, stop < 0 ? undefined : stop);
      for (const m of body.matchAll(/dup\s+(\d+)\s*\/([^\s/[\]{}()<>%]+)\s+put/g)) {
        const code = Number(m[1]);
        if (code < 256) encoding[code] = m[2];
      }
    }
  }
  // The private part, eexec-encrypted (r 55665), binary or hexadecimal.
  let secret = program.subarray(length1);
  const head = secret.toString('latin1', 0, 4);
  if (/^[0-9A-Fa-f]{4}$/.test(head))
    secret = Buffer.from(secret.toString('latin1').replace(/[^0-9A-Fa-f]/g, ''), 'hex');
  const plain = Buffer.alloc(secret.length);
  let r = 55665;
  for (let i = 0; i < secret.length; i += 1) {
    const c = secret[i] as number;
    plain[i] = c ^ (r >> 8);
    r = ((c + r) * 52845 + 22719) & 0xffff;
  }
  const names = new Set<string>();
  const text = plain.toString('latin1');
  let i = text.indexOf('/CharStrings');
  if (i < 0) return null;
  i = text.indexOf('begin', i);
  if (i < 0) return null;
  i += 5;
  // Each entry: /name length RD <length bytes> ND (or -| … |-); the binary bytes are skipped by length.
  const entry = /\s*\/([^\s/[\]{}()<>%]+)\s+(\d+)\s+(RD|-\|) /y;
  for (;;) {
    entry.lastIndex = i;
    const m = entry.exec(text);
    if (!m) break;
    names.add(m[1] as string);
    i = entry.lastIndex + Number(m[2]);
    const close = /\s*(ND|\|-|noaccess def)/y;
    close.lastIndex = i;
    const n = close.exec(text);
    if (!n) break;
    i = close.lastIndex;
    if (names.size > 65_536) return null;
  }
  return names.size ? { encoding, names } : null;
}

type Program = {
  /** The program's built-in encoding, where it has one that is read here. */
  builtIn: (string | undefined)[] | null;
  /** Whether the program draws a glyph for this name (and these characters, for TrueType). */
  has: (name: string, characters: string) => boolean;
};

/** The embedded font program of a simple font, null when it is not embedded, or a reason it cannot be read. */
function embeddedProgram(reader: PdfReader, descriptor: PdfDict | undefined, rev: number): Program | null | string {
  const at = (o: PdfObject | undefined): PdfObject => (isRef(o) ? reader.objectAtRevision(o.num, rev) : (o ?? null));
  const type1 = at(descriptor?.get('FontFile'));
  const trueType = at(descriptor?.get('FontFile2'));
  const file3 = at(descriptor?.get('FontFile3'));
  if (type1 instanceof PdfStream) {
    const length1 = type1.dict.get('Length1');
    const read = isNumber(length1) ? readType1(reader.streamData(type1), length1) : null;
    if (!read) return 'a Type1 font program that cannot be read';
    return { builtIn: read.encoding, has: (name) => read.names.has(name) };
  }
  if (trueType instanceof PdfStream) {
    // §9.6.6.4: a non-symbolic TrueType font's codes become glyph names, then Unicode, then glyphs through its (3,1) cmap.
    const characters = trueTypeCharacters(reader.streamData(trueType));
    if (!characters) return 'a TrueType font program with no Unicode cmap';
    const drawn = new Set([...characters.values()].flat());
    return { builtIn: null, has: (_name, chars) => [...chars].every((c) => drawn.has(c)) };
  }
  if (file3 instanceof PdfStream) {
    const data = reader.streamData(file3);
    const subtype = file3.dict.get('Subtype');
    const cff = isName(subtype, 'Type1C')
      ? readCff(data)
      : isName(subtype, 'OpenType')
        ? readCff(openTypeCff(data) ?? Buffer.alloc(0))
        : null;
    if (!cff?.names) return 'a CFF font program that cannot be read (or is CID-keyed in a simple font)';
    const names = new Set(cff.names.slice(1));
    return { builtIn: cff.encoding, has: (name) => names.has(name) };
  }
  return null;
}

/**
 * A decoder for a simple font (Type1, MMType1, TrueType) as of revision `rev`; a reason instead
 * when its text cannot be read here: a Type3 font (its glyphs are content streams of its own),
 * a symbolic font with no readable encoding, a program that cannot be read.
 */
export function simpleDecoder(reader: PdfReader, font: PdfDict, rev: number): FontDecoder | string {
  const at = (o: PdfObject | undefined): PdfObject => (isRef(o) ? reader.objectAtRevision(o.num, rev) : (o ?? null));
  const subtype = font.get('Subtype');
  if (isName(subtype, 'Type3')) return 'a Type3 font (its glyphs are drawn by procedures of its own)';
  if (!isName(subtype, 'Type1') && !isName(subtype, 'MMType1') && !isName(subtype, 'TrueType'))
    return 'a font of a kind not read here';
  const descriptor = dictOf(at(font.get('FontDescriptor')));
  const program = embeddedProgram(reader, descriptor, rev);
  if (typeof program === 'string') return program;
  const baseFont = isName(font.get('BaseFont'))
    ? (font.get('BaseFont') as { name: string }).name.replace(/^[A-Z]{6}\+/, '')
    : '';
  const flags = descriptor?.get('Flags');
  const symbolic = SYMBOL_FONTS.has(baseFont) || (isNumber(flags) && (flags & SYMBOLIC) !== 0);
  const encoding = at(font.get('Encoding'));
  const encodingDict = isDict(encoding) ? encoding : undefined;
  const baseName = isName(encoding) ? encoding : encodingDict?.get('BaseEncoding');
  let base: readonly (string | undefined)[] | null;
  if (baseName !== undefined) {
    base = isName(baseName) ? (BASE_ENCODINGS[baseName.name] ?? null) : null;
    if (!base) return 'a simple font with a base encoding not read here';
  } else if (encoding !== null && !encodingDict) return 'a simple font with a bad /Encoding';
  // No base encoding named (Table 114): the embedded program's own, else StandardEncoding for a non-symbolic font.
  else if (program) base = program.builtIn;
  else base = symbolic ? null : StandardEncoding;
  if (!base)
    return symbolic ? 'a symbolic font that is not embedded' : 'a font whose built-in encoding is not read here';
  if (isName(subtype, 'TrueType') && program && symbolic)
    return 'a symbolic TrueType font (its codes select glyphs through the program, not an encoding)';
  const codes: (string | undefined)[] = base.map((n) => n || undefined);
  const differences = at(encodingDict?.get('Differences'));
  if (isArray(differences)) {
    let code = -1;
    for (const d of differences) {
      if (isNumber(d)) code = d;
      else if (isName(d) && code >= 0 && code < 256) codes[code++] = d.name;
      else return 'a simple font with bad /Differences';
    }
  } else if (differences !== null) return 'a simple font with bad /Differences';
  return {
    decode: (bytes) => {
      let text = '';
      for (const code of bytes) {
        const name = codes[code];
        if (!name || name === '.notdef') return { problem: `code ${code} names no glyph in the font's encoding` };
        const chars = glyphCharacters(name);
        if (chars === null) return { problem: `glyph "${name}" stands for no character this validator knows` };
        if (program && !program.has(name, chars))
          return { problem: `the font program has no glyph "${name}" for code ${code}` };
        text += chars;
      }
      return { text };
    },
  };
}
