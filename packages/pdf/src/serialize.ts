import { PdfDict, PdfName, PdfRef, PdfStream, PdfString } from './objects';
import type { PdfObject } from './objects';

const REGULAR_NAME = /^[!-~]$/;

function nameToken(name: string): string {
  let out = '/';
  for (const byte of Buffer.from(name, 'utf8')) {
    const ch = String.fromCharCode(byte);
    const needsEscape = !REGULAR_NAME.test(ch) || '()<>[]{}/%#'.includes(ch);
    out += needsEscape ? `#${byte.toString(16).padStart(2, '0')}` : ch;
  }
  return out;
}

export function formatNumber(n: number): string {
  if (Number.isInteger(n)) return String(n);
  // PDF has no exponent notation; 6 decimals are below a device pixel at any sane scale.
  return n.toFixed(6).replace(/0+$/, '').replace(/\.$/, '');
}

function stringToken(s: PdfString): string {
  if (s.hex) return `<${s.bytes.toString('hex')}>`;
  let out = '(';
  for (const byte of s.bytes) {
    if (byte === 0x28 || byte === 0x29 || byte === 0x5c) out += `\\${String.fromCharCode(byte)}`;
    else if (byte < 0x20 || byte > 0x7e) out += `\\${byte.toString(8).padStart(3, '0')}`;
    else out += String.fromCharCode(byte);
  }
  return `${out})`;
}

/** Serialises a direct object (streams are handled by `serializeIndirect`). */
export function serializeObject(obj: PdfObject): string {
  if (obj === null) return 'null';
  if (typeof obj === 'boolean') return obj ? 'true' : 'false';
  if (typeof obj === 'number') return formatNumber(obj);
  if (obj instanceof PdfName) return nameToken(obj.name);
  if (obj instanceof PdfRef) return `${obj.num} ${obj.gen} R`;
  if (obj instanceof PdfString) return stringToken(obj);
  if (Array.isArray(obj)) return `[${obj.map(serializeObject).join(' ')}]`;
  if (obj instanceof PdfDict) {
    const parts: string[] = [];
    for (const [k, v] of obj.map) parts.push(`${nameToken(k)} ${serializeObject(v)}`);
    return `<<${parts.join(' ')}>>`;
  }
  if (obj instanceof PdfStream) throw new Error('a stream cannot be a direct object');
  throw new Error('unknown PDF object');
}

/** `num gen obj … endobj` bytes; a stream's /Length is set from its data. */
export function serializeIndirect(ref: PdfRef, obj: PdfObject, streamData?: Buffer): Buffer {
  if (obj instanceof PdfStream) {
    const data = streamData ?? obj.data;
    if (!data) throw new Error(`stream ${ref.key} has no data to write`);
    const dict = obj.dict.clone().set('Length', data.length);
    return Buffer.concat([
      Buffer.from(`${ref.num} ${ref.gen} obj\n${serializeObject(dict)}\nstream\n`, 'latin1'),
      data,
      Buffer.from('\nendstream\nendobj\n', 'latin1'),
    ]);
  }
  return Buffer.from(`${ref.num} ${ref.gen} obj\n${serializeObject(obj)}\nendobj\n`, 'latin1');
}
