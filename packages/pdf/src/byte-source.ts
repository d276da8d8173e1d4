import fs from 'node:fs';

/**
 * Random access to the bytes of a PDF without holding the whole file: the reader only ever
 * asks for windows, so a 200 MB file costs a few chunks of memory, not 200 MB.
 */
export type ByteSource = {
  readonly size: number;
  read(offset: number, length: number): Buffer;
  close(): void;
};

export function bufferSource(buffer: Buffer): ByteSource {
  return {
    size: buffer.length,
    read: (offset, length) => buffer.subarray(Math.max(0, offset), Math.min(buffer.length, offset + length)),
    close: () => undefined,
  };
}

/** [start, end) of a read request, cut to the source's bounds. */
function clampRange(size: number, offset: number, length: number): [number, number] {
  return [Math.max(0, offset), Math.min(size, offset + length)];
}

export function fileSource(filePath: string): ByteSource {
  const fd = fs.openSync(filePath, 'r');
  const size = fs.fstatSync(fd).size;
  let open = true;
  return {
    size,
    read: (offset, length) => {
      const [start, end] = clampRange(size, offset, length);
      if (end <= start) return Buffer.alloc(0);
      const out = Buffer.allocUnsafe(end - start);
      let done = 0;
      while (done < out.length) {
        const n = fs.readSync(fd, out, done, out.length - done, start + done);
        if (n === 0) break;
        done += n;
      }
      return out.subarray(0, done);
    },
    close: () => {
      if (open) fs.closeSync(fd);
      open = false;
    },
  };
}

/** A cursor over a ByteSource that caches one chunk, for byte-at-a-time lexing. */
export class ChunkedBytes {
  private chunkStart = -1;
  private chunk: Buffer = Buffer.alloc(0);

  constructor(
    readonly source: ByteSource,
    private readonly chunkSize = 64 * 1024,
  ) {}

  get size(): number {
    return this.source.size;
  }

  /** The byte at `pos`, or -1 past the end. */
  at(pos: number): number {
    if (pos < 0 || pos >= this.source.size) return -1;
    if (pos < this.chunkStart || pos >= this.chunkStart + this.chunk.length) {
      this.chunkStart = pos;
      this.chunk = this.source.read(pos, this.chunkSize);
    }
    return this.chunk[pos - this.chunkStart] ?? -1;
  }

  /** Position of the first `byte` at or after `from` and before `from + limit`, or -1. */
  indexOf(byte: number, from: number, limit: number): number {
    const end = Math.min(this.source.size, from + limit);
    for (let at = from; at < end; at += this.chunkSize) {
      const window = this.source.read(at, Math.min(this.chunkSize, end - at));
      const found = window.indexOf(byte);
      if (found >= 0) return at + found;
    }
    return -1;
  }

  slice(start: number, end: number): Buffer {
    if (start >= this.chunkStart && end <= this.chunkStart + this.chunk.length) {
      return Buffer.from(this.chunk.subarray(start - this.chunkStart, end - this.chunkStart));
    }
    return Buffer.from(this.source.read(start, end - start));
  }
}

/** The bytes of `base` followed by `tail`: a signed file before it is written out anywhere. */
export function concatSource(base: ByteSource, tail: Buffer): ByteSource {
  const size = base.size + tail.length;
  return {
    size,
    read: (offset, length) => {
      const [start, end] = clampRange(size, offset, length);
      if (end <= start) return Buffer.alloc(0);
      if (end <= base.size) return base.read(start, end - start);
      if (start >= base.size) return tail.subarray(start - base.size, end - base.size);
      return Buffer.concat([base.read(start, base.size - start), tail.subarray(0, end - base.size)]);
    },
    close: () => base.close(),
  };
}
