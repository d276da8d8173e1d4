import fs from 'node:fs';
import { makeCongVan } from '../../services/signing/test/fixtures/cong-van';
import { PdfReader } from '@vanthu/pdf';

/**
 * Writes a PDF of about `bytes` bytes without holding it in memory: the công văn followed by
 * an incremental update that adds one large (scan-like) image stream attached to the catalog.
 */
export async function writeLargePdf(file: string, bytes: number): Promise<void> {
  const base = await makeCongVan({ pages: 3 });
  const reader = PdfReader.fromBuffer(base);
  const size = reader.size_;
  const rootRef = reader.trailer.get('Root') as { num: number; gen: number };
  const catalogText = Buffer.from(base).toString('latin1');
  const catalogStart = catalogText.indexOf(`${rootRef.num} 0 obj`);
  const catalogBody = catalogText
    .slice(catalogStart, catalogText.indexOf('endobj', catalogStart))
    .replace(/^\d+ 0 obj\s*/, '')
    .trim();
  const fd = fs.openSync(file, 'w');
  let offset = 0;
  const write = (b: Buffer | string): void => {
    const buf = typeof b === 'string' ? Buffer.from(b, 'latin1') : b;
    fs.writeSync(fd, buf);
    offset += buf.length;
  };
  write(base);
  const streamNum = size;
  const streamOffset = offset;
  const length = bytes - base.length - 400;
  write(`${streamNum} 0 obj\n<< /Length ${length} >>\nstream\n`);
  const chunk = Buffer.alloc(1 << 20);
  for (let i = 0; i < chunk.length; i += 1) chunk[i] = (i * 2654435761) >>> 24;
  for (let left = length; left > 0; left -= chunk.length) write(chunk.subarray(0, Math.min(chunk.length, left)));
  write('\nendstream\nendobj\n');
  const catalogOffset = offset;
  write(`${rootRef.num} 0 obj\n${catalogBody.replace(/>>\s*$/, ` /PieceInfo ${streamNum} 0 R >>`)}\nendobj\n`);
  const xref = offset;
  write(
    `xref\n${rootRef.num} 1\n${String(catalogOffset).padStart(10, '0')} 00000 n\r\n${streamNum} 1\n${String(streamOffset).padStart(10, '0')} 00000 n\r\n`,
  );
  write(
    `trailer\n<< /Size ${streamNum + 1} /Root ${rootRef.num} 0 R /Prev ${reader.lastRevision.xrefOffset} >>\nstartxref\n${xref}\n%%EOF\n`,
  );
  fs.closeSync(fd);
}
