// The PDF object model (ISO 32000-1 §7.3). Names keep their decoded form; strings keep bytes
// and remember whether they were hex so a rewrite can reproduce them faithfully.

export class PdfName {
  private static readonly interned = new Map<string, PdfName>();
  private constructor(readonly name: string) {}
  static of(name: string): PdfName {
    let existing = PdfName.interned.get(name);
    if (!existing) {
      existing = new PdfName(name);
      PdfName.interned.set(name, existing);
    }
    return existing;
  }
  toString(): string {
    return `/${this.name}`;
  }
}

export class PdfRef {
  constructor(
    readonly num: number,
    readonly gen: number,
  ) {}
  get key(): string {
    return `${this.num} ${this.gen}`;
  }
  toString(): string {
    return `${this.num} ${this.gen} R`;
  }
}

export class PdfString {
  constructor(
    readonly bytes: Buffer,
    readonly hex = false,
  ) {}
  /** PDF text string: UTF-16BE with BOM, UTF-8 with BOM (PDF 2.0) or PDFDocEncoding (latin1 approximation). */
  text(): string {
    const b = this.bytes;
    // swap16 works in place: on a copy, so the string's bytes (and a second read) stay as parsed. An odd trailing
    // byte is not a UTF-16 code unit and is dropped.
    if (b.length >= 2 && b[0] === 0xfe && b[1] === 0xff)
      return Buffer.from(b.subarray(2, 2 + ((b.length - 2) & ~1)))
        .swap16()
        .toString('utf16le');
    if (b.length >= 3 && b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf) return b.subarray(3).toString('utf8');
    return b.toString('latin1');
  }
  static fromText(text: string): PdfString {
    if (/^[\x20-\x7e]*$/.test(text)) return new PdfString(Buffer.from(text, 'latin1'));
    const utf16 = Buffer.from(text.normalize('NFC'), 'utf16le').swap16();
    return new PdfString(Buffer.concat([Buffer.from([0xfe, 0xff]), utf16]), true);
  }
}

export class PdfDict {
  readonly map = new Map<string, PdfObject>();
  constructor(entries?: Iterable<[string, PdfObject]>) {
    if (entries) for (const [k, v] of entries) this.map.set(k, v);
  }
  get(key: string): PdfObject | undefined {
    return this.map.get(key);
  }
  set(key: string, value: PdfObject): this {
    this.map.set(key, value);
    return this;
  }
  has(key: string): boolean {
    return this.map.has(key);
  }
  delete(key: string): void {
    this.map.delete(key);
  }
  clone(): PdfDict {
    return new PdfDict(this.map);
  }
}

/** A stream as found in the file: its dictionary and where its raw (still encoded) data lies. */
export class PdfStream {
  constructor(
    readonly dict: PdfDict,
    readonly dataOffset: number,
    readonly dataLength: number,
    readonly data?: Buffer,
  ) {}
}

export type PdfObject = null | boolean | number | PdfName | PdfString | PdfRef | PdfObject[] | PdfDict | PdfStream;

export const isName = (o: PdfObject | undefined, name?: string): o is PdfName =>
  o instanceof PdfName && (name === undefined || o.name === name);
export const isDict = (o: PdfObject | undefined): o is PdfDict => o instanceof PdfDict;
export const isRef = (o: PdfObject | undefined): o is PdfRef => o instanceof PdfRef;
export const isStream = (o: PdfObject | undefined): o is PdfStream => o instanceof PdfStream;
export const isArray = (o: PdfObject | undefined): o is PdfObject[] => Array.isArray(o);
export const isNumber = (o: PdfObject | undefined): o is number => typeof o === 'number';

export class PdfFormatError extends Error {
  constructor(
    message: string,
    readonly offset?: number,
  ) {
    super(offset === undefined ? message : `${message} (at byte ${offset})`);
    this.name = 'PdfFormatError';
  }
}
