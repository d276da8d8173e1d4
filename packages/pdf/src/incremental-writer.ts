import { PdfDict, PdfName, PdfRef, PdfStream } from './objects';
import type { PdfObject } from './objects';
import type { PdfReader } from './reader';
import { serializeIndirect, serializeObject } from './serialize';

export type BuiltUpdate = {
  /** Bytes to append after the original file; the original bytes are never touched. */
  bytes: Buffer;
  /** Where each written object starts inside `bytes`. */
  objectOffsets: Map<number, number>;
  /** Marks placed with `placeholder()`: their offset inside `bytes`. */
  marks: Map<string, number>;
};

/**
 * Collects new and changed objects and writes them as one incremental update (ISO 32000-1
 * §7.5.6): the objects, a cross-reference section of the same kind as the file's last one
 * (a table for table files and hybrids, a stream for xref-stream files) and a trailer whose
 * /Prev is the previous section. Earlier bytes are never rewritten.
 */
export class IncrementalUpdate {
  private readonly objects = new Map<number, { ref: PdfRef; value: PdfObject }>();
  private nextNumber: number;

  constructor(private readonly reader: PdfReader) {
    this.nextNumber = reader.size_;
  }

  allocate(): PdfRef {
    const ref = new PdfRef(this.nextNumber, 0);
    this.nextNumber += 1;
    return ref;
  }

  add(value: PdfObject): PdfRef {
    const ref = this.allocate();
    this.objects.set(ref.num, { ref, value });
    return ref;
  }

  set(ref: PdfRef, value: PdfObject): void {
    this.objects.set(ref.num, { ref, value });
  }

  get(ref: PdfRef): PdfObject | undefined {
    return this.objects.get(ref.num)?.value;
  }

  /** The object as it will be after this update (pending change first, then the file). */
  current(ref: PdfRef): PdfObject {
    const pending = this.objects.get(ref.num);
    if (pending) return pending.value;
    return this.reader.getObject(ref);
  }

  /** The bytes of the update. `marker` strings in serialised objects are located for later patching. */
  build(markers: string[] = []): BuiltUpdate {
    const chunks: Buffer[] = [];
    let length = 0;
    const push = (b: Buffer): void => {
      chunks.push(b);
      length += b.length;
    };
    const base = this.reader.size;
    // The previous file may not end with a newline; an update must start on a fresh line.
    const lastByte = this.reader.bytes.at(base - 1);
    if (lastByte !== 0x0a && lastByte !== 0x0d) push(Buffer.from('\n'));
    const objectOffsets = new Map<number, number>();
    const marks = new Map<string, number>();
    const sorted = [...this.objects.values()].sort((a, b) => a.ref.num - b.ref.num);
    for (const { ref, value } of sorted) {
      objectOffsets.set(ref.num, length);
      let data: Buffer | undefined;
      if (value instanceof PdfStream && !value.data) data = this.reader.rawStreamData(value);
      const bytes = serializeIndirect(ref, value, data);
      for (const marker of markers) {
        const at = bytes.indexOf(marker, 0, 'latin1');
        if (at >= 0 && !marks.has(marker)) marks.set(marker, length + at);
      }
      push(bytes);
    }
    const last = this.reader.lastRevision;
    const trailer = new PdfDict();
    for (const key of ['Root', 'Info', 'ID']) {
      const value = last.trailer.get(key);
      if (value !== undefined) trailer.set(key, value);
    }
    trailer.set('Prev', last.xrefOffset);
    const xrefOffset = base + length;
    if (last.kind === 'stream') {
      const xrefRef = this.allocate();
      const entries = new Map<number, number>(
        sorted.map((o) => [o.ref.num, base + (objectOffsets.get(o.ref.num) ?? 0)]),
      );
      entries.set(xrefRef.num, xrefOffset);
      const nums = [...entries.keys()].sort((a, b) => a - b);
      const index: number[] = [];
      const rows: Buffer[] = [];
      for (const num of nums) {
        const lastStart = index[index.length - 2];
        const lastCount = index[index.length - 1];
        if (lastStart !== undefined && lastCount !== undefined && lastStart + lastCount === num)
          index[index.length - 1] = lastCount + 1;
        else index.push(num, 1);
        const row = Buffer.alloc(1 + 8 + 2);
        row[0] = 1;
        row.writeBigUInt64BE(BigInt(entries.get(num) ?? 0), 1);
        const gen = sorted.find((o) => o.ref.num === num)?.ref.gen ?? 0;
        row.writeUInt16BE(gen, 9);
        rows.push(row);
      }
      trailer.set('Type', PdfName.of('XRef')).set('Size', this.nextNumber).set('W', [1, 8, 2]).set('Index', index);
      const stream = new PdfStream(trailer, 0, 0, Buffer.concat(rows));
      push(serializeIndirect(xrefRef, stream));
    } else {
      trailer.set('Size', this.nextNumber);
      const nums = sorted.map((o) => o.ref.num);
      let table = 'xref\n';
      for (let i = 0; i < nums.length;) {
        let j = i;
        while (j + 1 < nums.length && nums[j + 1] === (nums[j] as number) + 1) j += 1;
        table += `${nums[i]} ${j - i + 1}\n`;
        for (let k = i; k <= j; k += 1) {
          const o = sorted[k] as { ref: PdfRef };
          table += `${String(base + (objectOffsets.get(o.ref.num) ?? 0)).padStart(10, '0')} ${String(o.ref.gen).padStart(5, '0')} n\r\n`;
        }
        i = j + 1;
      }
      table += `trailer\n${serializeObject(trailer)}\n`;
      push(Buffer.from(table, 'latin1'));
    }
    push(Buffer.from(`startxref\n${xrefOffset}\n%%EOF\n`, 'latin1'));
    return { bytes: Buffer.concat(chunks, length), objectOffsets, marks };
  }
}
