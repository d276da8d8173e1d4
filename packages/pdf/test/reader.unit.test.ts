import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import fc from 'fast-check';
import type { PdfStream } from '../src';
import {
  IncrementalUpdate,
  PdfDict,
  PdfFormatError,
  PdfName,
  PdfParser,
  PdfReader,
  PdfRef,
  PdfString,
  ChunkedBytes,
  bufferSource,
  serializeObject,
} from '../src';
import { pyhankoCorpus } from '../../../test/support/corpus';

const corpus = pyhankoCorpus;
const read = (name: string): PdfReader => PdfReader.fromFile(path.join(corpus, name));

/** A classic PDF built by hand so offsets are known. */
function handMade(objects: string[], trailerExtra = '', prevLoop = false): Buffer {
  let body = '%PDF-1.7\n';
  const offsets: number[] = [];
  objects.forEach((o, i) => {
    offsets.push(Buffer.byteLength(body, 'latin1'));
    body += `${i + 1} 0 obj\n${o}\nendobj\n`;
  });
  const xref = Buffer.byteLength(body, 'latin1');
  body += `xref\n0 ${objects.length + 1}\n0000000000 65535 f\r\n${offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n\r\n`).join('')}`;
  body += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R ${trailerExtra}${prevLoop ? ` /Prev ${xref}` : ''} >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(body, 'latin1');
}

describe('PdfReader on real-world shapes (pyHanko corpus)', () => {
  it.each([
    ['minimal.pdf', 'table'],
    ['minimal-xref.pdf', 'stream'],
    ['minimal-hybrid-xref.pdf', 'table'],
    ['uncompressed-objstream-sample.pdf', 'stream'],
    ['minimal-two-fields-signed-twice.pdf', 'stream'],
  ])('%s: every revision, its trailer and every page', (name, kind) => {
    const reader = read(name);
    try {
      expect(reader.lastRevision.kind).toBe(kind);
      expect(reader.pages().length).toBeGreaterThan(0);
      for (const num of reader.objectNumbers()) {
        const entry = reader.xrefEntry(num);
        if (entry?.type !== 'free') expect(() => reader.getObject(num)).not.toThrow();
      }
      // Revisions are ordered and each ends inside the file.
      const ends = reader.revisions.map((r) => r.endOffset);
      expect([...ends].sort((a, b) => a - b)).toEqual(ends);
      expect(ends[ends.length - 1]).toBeLessThanOrEqual(reader.size);
    } finally {
      reader.close();
    }
  });

  it('finds the object-stream objects of a hybrid file', () => {
    const reader = read('minimal-hybrid-xref.pdf');
    expect(reader.lastRevision.hybridStreamOffset).toBeGreaterThan(0);
    expect(reader.catalog().get('Pages')).toBeInstanceOf(PdfRef);
    reader.close();
  });

  it('refuses a page-tree loop instead of looping', () => {
    const reader = read('circular-page-tree.pdf');
    expect(() => reader.pages()).toThrow(/loops/);
    reader.close();
  });

  it('refuses a /Prev chain that loops', () => {
    const pdf = handMade(['<< /Type /Catalog /Pages 2 0 R >>', '<< /Type /Pages /Kids [] /Count 0 >>'], '', true);
    expect(() => PdfReader.fromBuffer(pdf)).toThrow(/loops/);
  });

  it('caps decompression: a deflate bomb stops at the cap', () => {
    const bomb = zlib.deflateSync(Buffer.alloc(8 * 1024 * 1024));
    const pdf = handMade([
      '<< /Type /Catalog /Pages 2 0 R >>',
      '<< /Type /Pages /Kids [] /Count 0 >>',
      `<< /Length ${bomb.length} /Filter /FlateDecode >>\nstream\n${bomb.toString('latin1')}\nendstream`,
    ]);
    const reader = PdfReader.fromBuffer(pdf, { decodeCap: 1024 * 1024 });
    const stream = reader.getObject(3) as PdfStream;
    expect(() => reader.streamData(stream)).toThrow(PdfFormatError);
    expect(() => reader.streamData(stream)).toThrow(/more than 1048576 bytes/);
  });

  it('survives a stream whose /Length refers to itself and deep nesting', () => {
    const pdf = handMade([
      '<< /Type /Catalog /Pages 2 0 R >>',
      '<< /Type /Pages /Kids [] /Count 0 >>',
      '<< /Length 3 0 R >>\nstream\nabc\nendstream',
    ]);
    const reader = PdfReader.fromBuffer(pdf);
    expect(reader.streamData(reader.getObject(3) as PdfStream).toString()).toBe('abc');
    const deep = new PdfParser(new ChunkedBytes(bufferSource(Buffer.from('['.repeat(500)))), 0);
    expect(() => deep.readObject()).toThrow(/nested too deeply/);
  });

  it('does not parse a file without a header or startxref', () => {
    expect(() => PdfReader.fromBuffer(Buffer.from('hello'))).toThrow(/not a PDF/);
    expect(() => PdfReader.fromBuffer(Buffer.from('%PDF-1.4\n1 0 obj <<>> endobj\n'))).toThrow(/startxref/);
  });
});

describe('IncrementalUpdate', () => {
  it.each(['minimal.pdf', 'minimal-xref.pdf'])(
    '%s: appends objects and an xref section of the same kind, never touching earlier bytes',
    (name) => {
      const original = fs.readFileSync(path.join(corpus, name));
      const reader = PdfReader.fromBuffer(original);
      const update = new IncrementalUpdate(reader);
      const ref = update.add(new PdfDict().set('Note', PdfString.fromText('Văn bản đã ký')));
      const built = update.build();
      const combined = Buffer.concat([original, built.bytes]);
      const after = PdfReader.fromBuffer(combined);
      expect(after.revisions).toHaveLength(reader.revisions.length + 1);
      expect(after.lastRevision.kind).toBe(reader.lastRevision.kind);
      expect(after.lastRevision.trailer.get('Prev')).toBe(reader.lastRevision.xrefOffset);
      expect((after.resolveDict(ref)?.get('Note') as PdfString).text()).toBe('Văn bản đã ký');
      expect(after.pages().length).toBe(reader.pages().length);
    },
  );
});

describe('serialisation round trip', () => {
  it('any name, string and number survives serialise → parse', () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1, maxLength: 30 }),
        fc.uint8Array({ maxLength: 60 }),
        fc.integer({ min: -1e9, max: 1e9 }),
        (name, bytes, n) => {
          const dict = new PdfDict()
            .set('K', PdfName.of(name))
            .set('S', new PdfString(Buffer.from(bytes)))
            .set('H', new PdfString(Buffer.from(bytes), true))
            .set('N', n);
          const text = Buffer.from(serializeObject(dict), 'latin1');
          const parsed = new PdfParser(new ChunkedBytes(bufferSource(text)), 0).readObject() as PdfDict;
          expect((parsed.get('K') as PdfName).name).toBe(name);
          expect((parsed.get('S') as PdfString).bytes.equals(Buffer.from(bytes))).toBe(true);
          expect((parsed.get('H') as PdfString).bytes.equals(Buffer.from(bytes))).toBe(true);
          expect(parsed.get('N')).toBe(n);
        },
      ),
    );
  });
});
