// A minimal DER writer for the CMS structures this service emits. pkijs re-encodes every
// certificate from its parsed parts on every signature (slow, and a certificate that is not in
// canonical DER would come out with different bytes and a broken issuer signature); writing
// the envelope here lets the original certificate bytes go in untouched.

export function tlv(tag: number, ...content: Buffer[]): Buffer {
  const body = Buffer.concat(content);
  const n = body.length;
  let header: Buffer;
  if (n < 0x80) header = Buffer.from([tag, n]);
  else {
    const bytes: number[] = [];
    for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
    header = Buffer.from([tag, 0x80 | bytes.length, ...bytes]);
  }
  return Buffer.concat([header, body]);
}

export const seq = (...c: Buffer[]): Buffer => tlv(0x30, ...c);
export const set = (...c: Buffer[]): Buffer => tlv(0x31, ...c);
export const octets = (b: Buffer): Buffer => tlv(0x04, b);
export const explicit = (n: number, ...c: Buffer[]): Buffer => tlv(0xa0 + n, ...c);

export function oid(dotted: string): Buffer {
  const parts = dotted.split('.').map(Number);
  const out: number[] = [40 * (parts[0] ?? 0) + (parts[1] ?? 0)];
  for (const p of parts.slice(2)) {
    const bytes: number[] = [p & 0x7f];
    for (let v = Math.floor(p / 128); v > 0; v = Math.floor(v / 128)) bytes.unshift((v & 0x7f) | 0x80);
    out.push(...bytes);
  }
  return tlv(0x06, Buffer.from(out));
}

export const smallInteger = (n: number): Buffer => tlv(0x02, Buffer.from([n]));

/** DER SET OF: elements sorted by their encodings (X.690 §11.6). */
export const setOf = (items: Buffer[]): Buffer => set(...[...items].sort(Buffer.compare));
