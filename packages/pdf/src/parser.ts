import type { ChunkedBytes } from './byte-source';
import { PdfDict, PdfFormatError, PdfName, PdfRef, PdfStream, PdfString } from './objects';
import type { PdfObject } from './objects';

const MAX_DEPTH = 64;
const MAX_TOKEN = 1 << 20;
const WHITE_CHARS = String.fromCharCode(0, 9, 10, 12, 13, 32);
const HEX_WHITE = new RegExp(`[${WHITE_CHARS}]`);
const HEX_WHITE_RUN = new RegExp(`[${WHITE_CHARS}]+`, 'g');

export const isWhite = (c: number): boolean =>
  c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09 || c === 0x0c || c === 0x00;
export const isDelimiter = (c: number): boolean =>
  c === 0x28 ||
  c === 0x29 ||
  c === 0x3c ||
  c === 0x3e ||
  c === 0x5b ||
  c === 0x5d ||
  c === 0x7b ||
  c === 0x7d ||
  c === 0x2f ||
  c === 0x25;

/** Resolves a stream's indirect /Length while parsing; undefined when it cannot. */
export type LengthResolver = (ref: PdfRef) => number | undefined;

/**
 * A recursive-descent parser of PDF objects over a windowed byte source. Nesting depth and
 * token sizes are bounded so hostile files cannot exhaust the stack or memory.
 */
export class PdfParser {
  pos: number;

  constructor(
    readonly bytes: ChunkedBytes,
    pos = 0,
    private readonly resolveLength?: LengthResolver,
  ) {
    this.pos = pos;
  }

  skipWhitespaceAndComments(): void {
    for (;;) {
      const c = this.bytes.at(this.pos);
      if (c === -1) return;
      if (isWhite(c)) {
        this.pos += 1;
      } else if (c === 0x25) {
        while (this.pos < this.bytes.size && this.bytes.at(this.pos) !== 0x0a && this.bytes.at(this.pos) !== 0x0d)
          this.pos += 1;
      } else {
        return;
      }
    }
  }

  /** A bare keyword or number token (no delimiters). */
  readRegular(): string {
    this.skipWhitespaceAndComments();
    const start = this.pos;
    for (;;) {
      const c = this.bytes.at(this.pos);
      if (c === -1 || isWhite(c) || isDelimiter(c)) break;
      this.pos += 1;
      if (this.pos - start > 255) throw new PdfFormatError('token too long', start);
    }
    return this.bytes.slice(start, this.pos).toString('latin1');
  }

  peekKeyword(keyword: string): boolean {
    this.skipWhitespaceAndComments();
    for (let i = 0; i < keyword.length; i += 1) if (this.bytes.at(this.pos + i) !== keyword.charCodeAt(i)) return false;
    const after = this.bytes.at(this.pos + keyword.length);
    return after === -1 || isWhite(after) || isDelimiter(after);
  }

  expectKeyword(keyword: string): void {
    const at = this.pos;
    const token = this.readRegular();
    if (token !== keyword) throw new PdfFormatError(`expected "${keyword}", found "${token}"`, at);
  }

  readInteger(): number {
    const at = this.pos;
    const token = this.readRegular();
    if (!/^[+-]?\d+$/.test(token)) throw new PdfFormatError(`expected an integer, found "${token}"`, at);
    return Number(token);
  }

  /** `num gen obj <object> endobj` at the current position. */
  readIndirectObject(): { ref: PdfRef; value: PdfObject } {
    const num = this.readInteger();
    const gen = this.readInteger();
    this.expectKeyword('obj');
    const value = this.readObject(0);
    return { ref: new PdfRef(num, gen), value };
  }

  readObject(depth = 0): PdfObject {
    if (depth > MAX_DEPTH) throw new PdfFormatError('objects nested too deeply', this.pos);
    this.skipWhitespaceAndComments();
    const start = this.pos;
    const c = this.bytes.at(this.pos);
    if (c === -1) throw new PdfFormatError('unexpected end of file', this.pos);
    if (c === 0x2f) return this.readName();
    if (c === 0x28) return this.readLiteralString();
    if (c === 0x5b) {
      this.pos += 1;
      const items: PdfObject[] = [];
      for (;;) {
        this.skipWhitespaceAndComments();
        const d = this.bytes.at(this.pos);
        if (d === -1) throw new PdfFormatError('unterminated array', start);
        if (d === 0x5d) {
          this.pos += 1;
          return items;
        }
        items.push(this.readObject(depth + 1));
      }
    }
    if (c === 0x3c) {
      if (this.bytes.at(this.pos + 1) === 0x3c) return this.readDictOrStream(depth);
      return this.readHexString();
    }
    const token = this.readRegular();
    if (token === '') throw new PdfFormatError(`unexpected character 0x${c.toString(16)}`, start);
    if (token === 'true') return true;
    if (token === 'false') return false;
    if (token === 'null') return null;
    if (/^[+-]?(\d+\.?\d*|\.\d+)$/.test(token)) {
      // `n g R` is a reference: look ahead without consuming when it is not.
      if (/^\d+$/.test(token)) {
        const save = this.pos;
        this.skipWhitespaceAndComments();
        const genStart = this.pos;
        const gen = this.readRegular();
        if (/^\d+$/.test(gen) && this.pos > genStart) {
          const r = this.readRegular();
          if (r === 'R') return new PdfRef(Number(token), Number(gen));
        }
        this.pos = save;
      }
      return Number(token);
    }
    throw new PdfFormatError(`unexpected token "${token.slice(0, 40)}"`, start);
  }

  private readName(): PdfName {
    this.pos += 1;
    const start = this.pos;
    const out: number[] = [];
    for (;;) {
      const c = this.bytes.at(this.pos);
      if (c === -1 || isWhite(c) || isDelimiter(c)) break;
      if (c === 0x23) {
        const hex = this.bytes.slice(this.pos + 1, this.pos + 3).toString('latin1');
        if (/^[0-9a-fA-F]{2}$/.test(hex)) {
          out.push(parseInt(hex, 16));
          this.pos += 3;
          continue;
        }
      }
      out.push(c);
      this.pos += 1;
      if (this.pos - start > 4096) throw new PdfFormatError('name too long', start);
    }
    return PdfName.of(Buffer.from(out).toString('utf8'));
  }

  private readLiteralString(): PdfString {
    const start = this.pos;
    this.pos += 1;
    const out: number[] = [];
    let depth = 1;
    for (;;) {
      if (out.length > MAX_TOKEN) throw new PdfFormatError('string too long', start);
      const c = this.bytes.at(this.pos);
      if (c === -1) throw new PdfFormatError('unterminated string', start);
      this.pos += 1;
      if (c === 0x5c) {
        const e = this.bytes.at(this.pos);
        this.pos += 1;
        const simple: Record<number, number> = {
          0x6e: 0x0a,
          0x72: 0x0d,
          0x74: 0x09,
          0x62: 0x08,
          0x66: 0x0c,
          0x28: 0x28,
          0x29: 0x29,
          0x5c: 0x5c,
        };
        if (e in simple) out.push(simple[e] as number);
        else if (e >= 0x30 && e <= 0x37) {
          let v = e - 0x30;
          for (let i = 0; i < 2; i += 1) {
            const d = this.bytes.at(this.pos);
            if (d < 0x30 || d > 0x37) break;
            v = v * 8 + (d - 0x30);
            this.pos += 1;
          }
          out.push(v & 0xff);
        } else if (e === 0x0d) {
          if (this.bytes.at(this.pos) === 0x0a) this.pos += 1;
        } else if (e !== 0x0a && e !== -1) out.push(e);
        continue;
      }
      if (c === 0x28) depth += 1;
      if (c === 0x29) {
        depth -= 1;
        if (depth === 0) break;
      }
      out.push(c);
    }
    return new PdfString(Buffer.from(out), false);
  }

  private readHexString(): PdfString {
    const start = this.pos;
    this.pos += 1;
    // Find the closing '>' first, then decode the run at once: signature /Contents strings are
    // tens of kilobytes and per-character work dominated validation time.
    const end = this.bytes.indexOf(0x3e, this.pos, 4 * MAX_TOKEN + 1);
    if (end < 0)
      throw new PdfFormatError(
        this.pos + 4 * MAX_TOKEN < this.bytes.size ? 'hex string too long' : 'unterminated hex string',
        start,
      );
    let digits = this.bytes.slice(this.pos, end).toString('latin1');
    // PDF white space (ISO 32000-1 §7.2.2) includes NUL; the char class is built from codes.
    if (HEX_WHITE.test(digits)) digits = digits.replace(HEX_WHITE_RUN, '');
    if (!/^[0-9a-fA-F]*$/.test(digits)) {
      const bad = digits.search(/[^0-9a-fA-F]/);
      throw new PdfFormatError('bad character in hex string', this.pos + Math.max(0, bad));
    }
    if (digits.length > 2 * MAX_TOKEN) throw new PdfFormatError('hex string too long', start);
    if (digits.length % 2 === 1) digits += '0';
    this.pos = end + 1;
    return new PdfString(Buffer.from(digits, 'hex'), true);
  }

  private readDictOrStream(depth: number): PdfDict | PdfStream {
    const start = this.pos;
    this.pos += 2;
    const dict = new PdfDict();
    for (;;) {
      this.skipWhitespaceAndComments();
      const c = this.bytes.at(this.pos);
      if (c === -1) throw new PdfFormatError('unterminated dictionary', start);
      if (c === 0x3e && this.bytes.at(this.pos + 1) === 0x3e) {
        this.pos += 2;
        break;
      }
      if (c !== 0x2f) throw new PdfFormatError('dictionary key is not a name', this.pos);
      const key = this.readName();
      const value = this.readObject(depth + 1);
      // ISO 32000-1 §7.3.7: a null value is the same as an absent entry.
      if (value !== null) dict.set(key.name, value);
    }
    const save = this.pos;
    if (!this.peekKeyword('stream')) {
      this.pos = save;
      return dict;
    }
    this.pos += 6;
    if (this.bytes.at(this.pos) === 0x0d) this.pos += 1;
    if (this.bytes.at(this.pos) === 0x0a) this.pos += 1;
    const dataOffset = this.pos;
    let length: number | undefined;
    const declared = dict.get('Length');
    if (typeof declared === 'number') length = declared;
    else if (declared instanceof PdfRef && this.resolveLength) length = this.resolveLength(declared);
    if (length !== undefined && Number.isInteger(length) && length >= 0 && dataOffset + length <= this.bytes.size) {
      this.pos = dataOffset + length;
      if (this.peekKeyword('endstream')) {
        this.pos += 9;
        return new PdfStream(dict, dataOffset, length);
      }
    }
    // A wrong /Length is common in the wild: find endstream instead, within bounds.
    const found = this.findForward('endstream', dataOffset, 256 * 1024 * 1024);
    if (found < 0) throw new PdfFormatError('stream without endstream', dataOffset);
    let end = found;
    if (this.bytes.at(end - 1) === 0x0a) end -= 1;
    if (this.bytes.at(end - 1) === 0x0d) end -= 1;
    this.pos = found + 9;
    return new PdfStream(dict, dataOffset, end - dataOffset);
  }

  findForward(needle: string, from: number, limit: number): number {
    const first = needle.charCodeAt(0);
    const end = Math.min(this.bytes.size, from + limit);
    for (let p = from; p < end; p += 1) {
      if (this.bytes.at(p) !== first) continue;
      let ok = true;
      for (let i = 1; i < needle.length; i += 1) {
        if (this.bytes.at(p + i) !== needle.charCodeAt(i)) {
          ok = false;
          break;
        }
      }
      if (ok) return p;
    }
    return -1;
  }
}
