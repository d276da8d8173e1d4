import { ChunkedBytes, bufferSource, fileSource } from './byte-source';
import type { ByteSource } from './byte-source';
import { DEFAULT_DECODE_CAP, decodeStreamData } from './filters';
import { PdfFormatError, isArray, isDict, isName, isNumber, isRef, isStream } from './objects';
import type { PdfObject, PdfDict, PdfRef, PdfStream } from './objects';
import { PdfParser } from './parser';

export type XrefEntry =
  | { type: 'free'; gen: number }
  | { type: 'offset'; offset: number; gen: number }
  | { type: 'compressed'; stream: number; index: number };

/** One xref section with its trailer: a revision of the file, oldest first in `PdfReader.revisions`. */
export type Revision = {
  xrefOffset: number;
  kind: 'table' | 'stream';
  trailer: PdfDict;
  entries: Map<number, XrefEntry>;
  /** Offset of the /XRefStm of a hybrid file's table section. */
  hybridStreamOffset?: number;
  /** The entries that /XRefStm stream itself lists (before the table's entries take precedence). */
  hybridEntries?: Map<number, XrefEntry>;
  /** Byte just after this revision's %%EOF marker (or its xref section when the marker is missing). */
  endOffset: number;
};

export type ReaderOptions = { decodeCap?: number; maxRevisions?: number };

const MAX_RESOLVE_DEPTH = 32;

/**
 * Reads the structure of a PDF: every revision's cross-reference section (table, stream or
 * hybrid), the trailers along the /Prev chain, and indirect objects by number and generation,
 * including those inside object streams. Cycles in /Prev chains, object streams and
 * references are detected; decoded streams are capped.
 */
export class PdfReader {
  readonly bytes: ChunkedBytes;
  readonly revisions: Revision[] = [];
  readonly version: string;
  private readonly merged = new Map<number, XrefEntry>();
  private readonly objectStreams = new Map<number, { offsets: Map<number, number>; first: number; data: Buffer }>();
  private readonly cache = new Map<string, PdfObject>();
  private readonly parsedAt = new Map<number, { ref: PdfRef; value: PdfObject }>();
  private readonly resolving = new Set<string>();
  private readonly decodeCap: number;

  private constructor(
    readonly source: ByteSource,
    options: ReaderOptions = {},
  ) {
    this.bytes = new ChunkedBytes(source);
    this.decodeCap = options.decodeCap ?? DEFAULT_DECODE_CAP;
    const head = source.read(0, 1024).toString('latin1');
    const header = /%PDF-(\d\.\d)/.exec(head);
    if (!header || header.index > 1000) throw new PdfFormatError('not a PDF: no %PDF- header');
    this.version = header[1] as string;
    this.readRevisions(options.maxRevisions ?? 10_000);
  }

  static fromBuffer(buffer: Buffer, options?: ReaderOptions): PdfReader {
    return new PdfReader(bufferSource(buffer), options);
  }

  static fromFile(filePath: string, options?: ReaderOptions): PdfReader {
    const source = fileSource(filePath);
    try {
      return new PdfReader(source, options);
    } catch (error) {
      source.close();
      throw error;
    }
  }

  static fromSource(source: ByteSource, options?: ReaderOptions): PdfReader {
    return new PdfReader(source, options);
  }

  close(): void {
    this.source.close();
  }

  get size(): number {
    return this.source.size;
  }

  /** The newest trailer (the file's effective one). */
  get trailer(): PdfDict {
    const last = this.revisions[this.revisions.length - 1];
    if (!last) throw new PdfFormatError('no cross-reference section');
    return last.trailer;
  }

  get lastRevision(): Revision {
    const last = this.revisions[this.revisions.length - 1];
    if (!last) throw new PdfFormatError('no cross-reference section');
    return last;
  }

  get encrypted(): boolean {
    return this.trailer.has('Encrypt');
  }

  /** Highest object number in use plus one (at least the trailer's /Size). */
  get size_(): number {
    let max = Number(this.trailer.get('Size') ?? 0);
    for (const num of this.merged.keys()) max = Math.max(max, num + 1);
    return max;
  }

  xrefEntry(num: number): XrefEntry | undefined {
    return this.merged.get(num);
  }

  objectNumbers(): number[] {
    return [...this.merged.keys()].sort((a, b) => a - b);
  }

  private findStartXref(): number {
    const tailLength = Math.min(this.source.size, 4096);
    const tail = this.source.read(this.source.size - tailLength, tailLength).toString('latin1');
    const at = tail.lastIndexOf('startxref');
    if (at < 0) throw new PdfFormatError('no startxref');
    const match = /startxref\s+(\d+)/.exec(tail.slice(at));
    if (!match) throw new PdfFormatError('startxref without an offset');
    const offset = Number(match[1]);
    if (offset <= 0 || offset >= this.source.size)
      throw new PdfFormatError(`startxref points outside the file (${offset})`);
    return offset;
  }

  private readRevisions(maxRevisions: number): void {
    const seen = new Set<number>();
    const newestFirst: Revision[] = [];
    let offset: number | undefined = this.findStartXref();
    while (offset !== undefined) {
      if (seen.has(offset)) throw new PdfFormatError('the /Prev chain of cross-reference sections loops', offset);
      if (seen.size >= maxRevisions) throw new PdfFormatError('too many revisions');
      seen.add(offset);
      const revision = this.readSection(offset);
      newestFirst.push(revision);
      const prev = revision.trailer.get('Prev');
      offset = isNumber(prev) ? prev : undefined;
      if (offset !== undefined && (offset <= 0 || offset >= this.source.size))
        throw new PdfFormatError(`/Prev points outside the file (${offset})`);
    }
    // A linearized file's first-page section sits at the start of the file and points /Prev
    // forward to the main section: together they are one revision (ISO 32000-1 Annex F).
    const oldestFirst = newestFirst.reverse();
    for (const section of oldestFirst) {
      const previous = this.revisions[this.revisions.length - 1];
      if (previous && section.xrefOffset < previous.xrefOffset && section.endOffset <= previous.endOffset) {
        const entries = new Map(previous.entries);
        for (const [num, entry] of section.entries) entries.set(num, entry);
        this.revisions[this.revisions.length - 1] = { ...section, entries, endOffset: previous.endOffset };
      } else {
        this.revisions.push(section);
      }
    }
    for (const revision of this.revisions) for (const [num, entry] of revision.entries) this.merged.set(num, entry);
  }

  private readSection(offset: number): Revision {
    const parser = new PdfParser(this.bytes, offset);
    if (parser.peekKeyword('xref')) {
      parser.pos += 4;
      const entries = new Map<number, XrefEntry>();
      for (;;) {
        parser.skipWhitespaceAndComments();
        if (parser.peekKeyword('trailer')) break;
        const start = parser.readInteger();
        const count = parser.readInteger();
        if (count < 0 || count > 10_000_000) throw new PdfFormatError('implausible xref subsection', parser.pos);
        for (let i = 0; i < count; i += 1) {
          const field1 = parser.readRegular();
          const field2 = parser.readRegular();
          const kind = parser.readRegular();
          if (!/^\d+$/.test(field1) || !/^\d+$/.test(field2) || (kind !== 'n' && kind !== 'f')) {
            throw new PdfFormatError('malformed xref table entry', parser.pos);
          }
          // The first entry of a section wins over later duplicates in the same section.
          if (entries.has(start + i)) continue;
          entries.set(
            start + i,
            kind === 'n'
              ? { type: 'offset', offset: Number(field1), gen: Number(field2) }
              : { type: 'free', gen: Number(field2) },
          );
        }
      }
      parser.expectKeyword('trailer');
      const trailer = parser.readObject();
      if (!isDict(trailer)) throw new PdfFormatError('trailer is not a dictionary', parser.pos);
      const revision: Revision = {
        xrefOffset: offset,
        kind: 'table',
        trailer,
        entries,
        endOffset: this.endOfRevision(parser.pos),
      };
      const xrefStm = trailer.get('XRefStm');
      if (isNumber(xrefStm)) {
        // Hybrid file (ISO 32000-1 §7.5.8.4): the stream's entries fill in what the table leaves out.
        const hybrid = this.readXrefStream(xrefStm);
        for (const [num, entry] of hybrid.entries)
          if (!entries.has(num) || entries.get(num)?.type === 'free') entries.set(num, entry);
        revision.hybridStreamOffset = xrefStm;
        revision.hybridEntries = hybrid.entries;
      }
      return revision;
    }
    const stream = this.readXrefStream(offset);
    return {
      xrefOffset: offset,
      kind: 'stream',
      trailer: stream.dict,
      entries: stream.entries,
      endOffset: this.endOfRevision(stream.end),
    };
  }

  private endOfRevision(from: number): number {
    const parser = new PdfParser(this.bytes, from);
    const eof = parser.findForward('%%EOF', from, 4096);
    if (eof < 0) return from;
    let end = eof + 5;
    if (this.bytes.at(end) === 0x0d) end += 1;
    if (this.bytes.at(end) === 0x0a) end += 1;
    return end;
  }

  private readXrefStream(offset: number): { dict: PdfDict; entries: Map<number, XrefEntry>; end: number } {
    const parser = new PdfParser(this.bytes, offset, (ref) => this.lengthOf(ref));
    const { value } = parser.readIndirectObject();
    if (!isStream(value) || !isName(value.dict.get('Type'), 'XRef'))
      throw new PdfFormatError('startxref does not point to an xref table or stream', offset);
    const data = this.streamData(value);
    const w = value.dict.get('W');
    if (!isArray(w) || w.length !== 3 || !w.every((x) => isNumber(x) && x >= 0 && x <= 8))
      throw new PdfFormatError('xref stream /W is malformed', offset);
    const widths = w as number[];
    const rowLength = widths.reduce((a, b) => a + b, 0);
    const size = Number(value.dict.get('Size') ?? 0);
    const indexEntry = value.dict.get('Index');
    const index = isArray(indexEntry) ? (indexEntry as number[]) : [0, size];
    const entries = new Map<number, XrefEntry>();
    let row = 0;
    const field = (start: number, width: number): number => {
      let v = 0;
      for (let i = 0; i < width; i += 1) v = v * 256 + (data[start + i] ?? 0);
      return v;
    };
    for (let s = 0; s + 1 < index.length; s += 2) {
      const first = Number(index[s]);
      const count = Number(index[s + 1]);
      for (let i = 0; i < count; i += 1, row += 1) {
        const at = row * rowLength;
        if (at + rowLength > data.length)
          throw new PdfFormatError('xref stream is shorter than its /Index says', offset);
        const type = widths[0] === 0 ? 1 : field(at, widths[0] as number);
        const f2 = field(at + (widths[0] as number), widths[1] as number);
        const f3 = field(at + (widths[0] as number) + (widths[1] as number), widths[2] as number);
        if (entries.has(first + i)) continue;
        if (type === 0) entries.set(first + i, { type: 'free', gen: f3 });
        else if (type === 1) entries.set(first + i, { type: 'offset', offset: f2, gen: f3 });
        else if (type === 2) entries.set(first + i, { type: 'compressed', stream: f2, index: f3 });
      }
    }
    return { dict: value.dict, entries, end: parser.pos };
  }

  private lengthOf(ref: PdfRef): number | undefined {
    try {
      const value = this.getObject(ref);
      return isNumber(value) ? value : undefined;
    } catch {
      return undefined;
    }
  }

  /** The raw (still encoded) bytes of a stream. */
  rawStreamData(stream: PdfStream): Buffer {
    if (stream.data) return stream.data;
    if (stream.dataLength > this.decodeCap * 4) throw new PdfFormatError('stream too large to read');
    return this.bytes.slice(stream.dataOffset, stream.dataOffset + stream.dataLength);
  }

  /** The decoded bytes of a stream, capped. */
  streamData(stream: PdfStream): Buffer {
    return decodeStreamData(stream.dict, this.rawStreamData(stream), this.decodeCap);
  }

  /** Parses the indirect object at a byte offset (used by validators that walk revisions). */
  objectAt(offset: number): { ref: PdfRef; value: PdfObject } {
    // Validation reads the same object once per revision it compares (a signature dictionary's
    // tens of kilobytes of /Contents each time): parsed objects are kept by offset. Callers
    // clone before they change anything.
    const cached = this.parsedAt.get(offset);
    if (cached) return cached;
    const parser = new PdfParser(this.bytes, offset, (ref) => this.lengthOf(ref));
    const found = parser.readIndirectObject();
    this.parsedAt.set(offset, found);
    return found;
  }

  /** The indirect object `ref` as of the newest revision; null when free or missing. */
  getObject(ref: PdfRef | number): PdfObject {
    const num = typeof ref === 'number' ? ref : ref.num;
    const key = typeof ref === 'number' ? `${ref}` : ref.key;
    const cached = this.cache.get(key);
    if (cached !== undefined) return cached;
    if (this.resolving.has(key)) throw new PdfFormatError(`object ${key} refers to itself while being read`);
    if (this.resolving.size > MAX_RESOLVE_DEPTH) throw new PdfFormatError('object references nest too deeply');
    this.resolving.add(key);
    try {
      const entry = this.merged.get(num);
      let value: PdfObject = null;
      if (entry?.type === 'offset') {
        if (entry.offset <= 0 || entry.offset >= this.source.size)
          throw new PdfFormatError(`object ${num} has an offset outside the file`);
        const found = this.objectAt(entry.offset);
        if (found.ref.num !== num)
          throw new PdfFormatError(
            `xref says object ${num} is at ${entry.offset} but object ${found.ref.num} is there`,
          );
        if (typeof ref !== 'number' && found.ref.gen !== ref.gen) value = null;
        else value = found.value;
      } else if (entry?.type === 'compressed') {
        value = this.fromObjectStream(entry.stream, entry.index, num);
      }
      this.cache.set(key, value);
      return value;
    } finally {
      this.resolving.delete(key);
    }
  }

  /**
   * The xref entry of object `num` as seen by revision `revisionIndex` (0 = oldest): the newest
   * entry among that revision and the ones before it. Validators compare revisions with it.
   */
  entryAtRevision(num: number, revisionIndex: number): XrefEntry | undefined {
    for (let i = Math.min(revisionIndex, this.revisions.length - 1); i >= 0; i -= 1) {
      const entry = this.revisions[i]?.entries.get(num);
      if (entry) return entry;
    }
    return undefined;
  }

  /** Object `num` as it was in revision `revisionIndex`; null when free or absent there. */
  objectAtRevision(num: number, revisionIndex: number): PdfObject {
    const entry = this.entryAtRevision(num, revisionIndex);
    if (!entry || entry.type === 'free') return null;
    if (entry.type === 'offset') {
      if (entry.offset <= 0 || entry.offset >= this.source.size)
        throw new PdfFormatError(`object ${num} has an offset outside the file`);
      const found = this.objectAt(entry.offset);
      if (found.ref.num !== num)
        throw new PdfFormatError(`xref says object ${num} is at ${entry.offset} but object ${found.ref.num} is there`);
      return found.value;
    }
    // Object streams are cached by number; one rewritten in a later revision is read afresh.
    const streamEntry = this.entryAtRevision(entry.stream, revisionIndex);
    if (streamEntry?.type !== 'offset')
      throw new PdfFormatError(`object stream ${entry.stream} is not at a byte offset`);
    const stream = this.objectAt(streamEntry.offset).value;
    if (!isStream(stream) || !isName(stream.dict.get('Type'), 'ObjStm'))
      throw new PdfFormatError(`object ${entry.stream} is not an object stream`);
    const data = this.streamData(stream);
    const n = Math.min(Number(stream.dict.get('N') ?? 0), 1_000_000);
    const first = Number(stream.dict.get('First') ?? 0);
    const header = new PdfParser(new ChunkedBytes(bufferSource(data)), 0);
    for (let i = 0; i < n; i += 1) {
      const objNum = header.readInteger();
      const rel = header.readInteger();
      if (objNum === num) return new PdfParser(new ChunkedBytes(bufferSource(data)), first + rel).readObject();
    }
    throw new PdfFormatError(`object ${num} is not in object stream ${entry.stream}`);
  }

  private fromObjectStream(streamNum: number, index: number, num: number): PdfObject {
    let objStm = this.objectStreams.get(streamNum);
    if (!objStm) {
      const stream = this.getObject(streamNum);
      if (!isStream(stream) || !isName(stream.dict.get('Type'), 'ObjStm'))
        throw new PdfFormatError(`object ${streamNum} is not an object stream`);
      const data = this.streamData(stream);
      const n = Number(stream.dict.get('N') ?? 0);
      const first = Number(stream.dict.get('First') ?? 0);
      const header = new PdfParser(new ChunkedBytes(bufferSource(data)), 0);
      const offsets = new Map<number, number>();
      for (let i = 0; i < n; i += 1) {
        const objNum = header.readInteger();
        const rel = header.readInteger();
        if (!offsets.has(objNum)) offsets.set(objNum, rel);
      }
      objStm = { offsets, first, data };
      this.objectStreams.set(streamNum, objStm);
    }
    const rel = objStm.offsets.get(num);
    if (rel === undefined)
      throw new PdfFormatError(`object ${num} is not in object stream ${streamNum} (index ${index})`);
    const parser = new PdfParser(new ChunkedBytes(bufferSource(objStm.data)), objStm.first + rel);
    return parser.readObject();
  }

  /** Follows references until a direct object (bounded). */
  resolve(obj: PdfObject | undefined): PdfObject {
    let current: PdfObject | undefined = obj;
    for (let i = 0; i < MAX_RESOLVE_DEPTH && isRef(current); i += 1) current = this.getObject(current);
    if (isRef(current)) throw new PdfFormatError('reference chain too long');
    return current ?? null;
  }

  resolveDict(obj: PdfObject | undefined): PdfDict | undefined {
    const value = this.resolve(obj);
    if (isDict(value)) return value;
    if (isStream(value)) return value.dict;
    return undefined;
  }

  catalog(): PdfDict {
    const root = this.resolveDict(this.trailer.get('Root'));
    if (!root) throw new PdfFormatError('the trailer has no document catalog');
    return root;
  }

  /** Page dictionaries with their references, in order; page-tree loops are refused. */
  pages(maxPages = 100_000): { ref: PdfRef; dict: PdfDict }[] {
    const out: { ref: PdfRef; dict: PdfDict }[] = [];
    const seen = new Set<string>();
    const walk = (node: PdfObject | undefined, depth: number): void => {
      if (!isRef(node)) throw new PdfFormatError('a page tree node is not an indirect object');
      if (seen.has(node.key)) throw new PdfFormatError('the page tree loops');
      if (depth > 64) throw new PdfFormatError('the page tree is too deep');
      seen.add(node.key);
      const dict = this.resolveDict(node);
      if (!dict) throw new PdfFormatError(`page tree node ${node.key} is not a dictionary`);
      if (isName(dict.get('Type'), 'Pages') || dict.has('Kids')) {
        const kids = this.resolve(dict.get('Kids'));
        if (!isArray(kids)) throw new PdfFormatError('page tree /Kids is not an array');
        for (const kid of kids) walk(kid, depth + 1);
      } else {
        if (out.length >= maxPages) throw new PdfFormatError('too many pages');
        out.push({ ref: node, dict });
      }
    };
    walk(this.catalog().get('Pages'), 0);
    return out;
  }

  /** An inherited page attribute (ISO 32000-1 §7.7.3.4), e.g. MediaBox, Rotate, Resources. */
  inherited(page: PdfDict, key: string): PdfObject | undefined {
    let node: PdfDict | undefined = page;
    for (let i = 0; node && i < 64; i += 1) {
      const v = node.get(key);
      if (v !== undefined) return this.resolve(v);
      node = this.resolveDict(node.get('Parent'));
    }
    return undefined;
  }
}
