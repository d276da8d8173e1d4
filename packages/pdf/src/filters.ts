import zlib from 'node:zlib';
import { PdfFormatError, isArray, isDict, isName } from './objects';
import type { PdfObject, PdfDict } from './objects';

/** Default cap on one decoded stream: deflate bombs stop here instead of exhausting memory. */
export const DEFAULT_DECODE_CAP = 64 * 1024 * 1024;

function inflate(data: Buffer, cap: number): Buffer {
  try {
    // Z_SYNC_FLUSH tolerates truncated streams without an Adler checksum, common in real files.
    return zlib.inflateSync(data, { maxOutputLength: cap, finishFlush: zlib.constants.Z_SYNC_FLUSH });
  } catch (error) {
    if (error instanceof RangeError || (error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
      throw new PdfFormatError(`a stream decodes to more than ${cap} bytes`);
    }
    throw new PdfFormatError(`a FlateDecode stream is corrupt: ${(error as Error).message}`);
  }
}

/** PNG predictors (ISO 32000-1 §7.4.4.4), used by xref and object streams. */
function unpredict(data: Buffer, parms: PdfDict | undefined): Buffer {
  const predictor = Number(parms?.get('Predictor') ?? 1);
  if (predictor < 10) {
    if (predictor === 1) return data;
    throw new PdfFormatError(`TIFF predictor ${predictor} is not supported`);
  }
  const colors = Number(parms?.get('Colors') ?? 1);
  const bpc = Number(parms?.get('BitsPerComponent') ?? 8);
  const columns = Number(parms?.get('Columns') ?? 1);
  const bpp = Math.max(1, Math.ceil((colors * bpc) / 8));
  const rowLength = Math.ceil((colors * bpc * columns) / 8);
  const rows = Math.floor(data.length / (rowLength + 1));
  const out = Buffer.alloc(rows * rowLength);
  let prev = Buffer.alloc(rowLength);
  for (let r = 0; r < rows; r += 1) {
    const type = data[r * (rowLength + 1)] ?? 0;
    const row = data.subarray(r * (rowLength + 1) + 1, (r + 1) * (rowLength + 1));
    const cur = out.subarray(r * rowLength, (r + 1) * rowLength);
    for (let i = 0; i < rowLength; i += 1) {
      const x = row[i] ?? 0;
      const a = i >= bpp ? (cur[i - bpp] ?? 0) : 0;
      const b = prev[i] ?? 0;
      const c = i >= bpp ? (prev[i - bpp] ?? 0) : 0;
      let v: number;
      switch (type) {
        case 0:
          v = x;
          break;
        case 1:
          v = x + a;
          break;
        case 2:
          v = x + b;
          break;
        case 3:
          v = x + Math.floor((a + b) / 2);
          break;
        case 4: {
          const p = a + b - c;
          const pa = Math.abs(p - a);
          const pb = Math.abs(p - b);
          const pc = Math.abs(p - c);
          v = x + (pa <= pb && pa <= pc ? a : pb <= pc ? b : c);
          break;
        }
        default:
          throw new PdfFormatError(`unknown PNG predictor row type ${type}`);
      }
      cur[i] = v & 0xff;
    }
    prev = cur;
  }
  return out;
}

function asciiHex(data: Buffer): Buffer {
  const text = data.toString('latin1').replace(/\s+/g, '');
  const end = text.indexOf('>');
  let digits = end >= 0 ? text.slice(0, end) : text;
  if (digits.length % 2 === 1) digits += '0';
  return Buffer.from(digits, 'hex');
}

/** Decodes a stream's raw bytes through its /Filter chain, bounded by `cap` bytes per step. */
export function decodeStreamData(dict: PdfDict, raw: Buffer, cap = DEFAULT_DECODE_CAP): Buffer {
  const filterEntry = dict.get('Filter');
  const parmsEntry = dict.get('DecodeParms');
  const filters: PdfObject[] = filterEntry === undefined ? [] : isArray(filterEntry) ? filterEntry : [filterEntry];
  const parms: PdfObject[] = parmsEntry === undefined ? [] : isArray(parmsEntry) ? parmsEntry : [parmsEntry];
  let data = raw;
  filters.forEach((filter, i) => {
    const parm = parms[i];
    const p = isDict(parm) ? parm : undefined;
    if (isName(filter, 'FlateDecode') || isName(filter, 'Fl')) data = unpredict(inflate(data, cap), p);
    else if (isName(filter, 'ASCIIHexDecode') || isName(filter, 'AHx')) data = asciiHex(data);
    else throw new PdfFormatError(`stream filter ${String(filter)} is not supported here`);
    if (data.length > cap) throw new PdfFormatError(`a stream decodes to more than ${cap} bytes`);
  });
  return data;
}
