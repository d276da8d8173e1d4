// A small ASN.1 reader over raw bytes: the validation hot path walks CMS structures with it
// instead of matching them against pkijs schemas (which cost more than all the cryptography).
// It reads DER and the BER forms signers actually emit (indefinite lengths, constructed OCTET
// STRINGs); anything else is an error the caller turns into FORMAT_FAILURE.

export class AsnError extends Error {}

/** One element: `[start, end)` is the whole TLV, `[contentStart, contentEnd)` its value. */
export type Tlv = { tag: number; start: number; contentStart: number; contentEnd: number; end: number };

const MAX_DEPTH = 64;

export function readTlv(buf: Buffer, at: number, limit = buf.length, depth = 0): Tlv {
  if (depth > MAX_DEPTH) throw new AsnError('ASN.1 nesting is too deep');
  const tag = buf[at];
  const first = buf[at + 1];
  if (tag === undefined || first === undefined || at + 2 > limit) throw new AsnError('truncated ASN.1 element');
  // High tag numbers (0x1f) never occur in CMS, X.509, OCSP or TSP.
  if ((tag & 0x1f) === 0x1f) throw new AsnError('unsupported ASN.1 tag');
  if (first === 0x80) {
    if ((tag & 0x20) === 0) throw new AsnError('indefinite length on a primitive element');
    let cursor = at + 2;
    for (;;) {
      if (cursor + 2 > limit) throw new AsnError('indefinite-length element without its end');
      if (buf[cursor] === 0 && buf[cursor + 1] === 0)
        return { tag, start: at, contentStart: at + 2, contentEnd: cursor, end: cursor + 2 };
      cursor = readTlv(buf, cursor, limit, depth + 1).end;
    }
  }
  let length = first;
  let header = 2;
  if (first & 0x80) {
    const n = first & 0x7f;
    if (n > 4) throw new AsnError('ASN.1 length too large');
    length = 0;
    for (let i = 0; i < n; i += 1) length = length * 256 + (buf[at + 2 + i] ?? 0);
    header += n;
  }
  const end = at + header + length;
  if (end > limit) throw new AsnError('ASN.1 element overruns its container');
  return { tag, start: at, contentStart: at + header, contentEnd: end, end };
}

export function childrenOf(buf: Buffer, parent: Tlv, depth = 0): Tlv[] {
  if ((parent.tag & 0x20) === 0) throw new AsnError('expected a constructed ASN.1 element');
  const out: Tlv[] = [];
  for (let at = parent.contentStart; at < parent.contentEnd;) {
    const child = readTlv(buf, at, parent.contentEnd, depth + 1);
    out.push(child);
    at = child.end;
  }
  return out;
}

export const elementBytes = (buf: Buffer, t: Tlv): Buffer => buf.subarray(t.start, t.end);
export const contentBytes = (buf: Buffer, t: Tlv): Buffer => buf.subarray(t.contentStart, t.contentEnd);

export function expectTag(t: Tlv | undefined, tag: number, what: string): Tlv {
  if (!t || t.tag !== tag) throw new AsnError(`${what} is missing or has the wrong type`);
  return t;
}

export function oidText(buf: Buffer, t: Tlv): string {
  expectTag(t, 0x06, 'object identifier');
  const bytes = contentBytes(buf, t);
  if (bytes.length === 0) throw new AsnError('empty object identifier');
  const arcs: number[] = [];
  let value = 0;
  for (const b of bytes) {
    value = value * 128 + (b & 0x7f);
    if (value > Number.MAX_SAFE_INTEGER / 128) throw new AsnError('object identifier arc too large');
    if ((b & 0x80) === 0) {
      if (arcs.length === 0) arcs.push(value < 80 ? Math.floor(value / 40) : 2, value < 80 ? value % 40 : value - 80);
      else arcs.push(value);
      value = 0;
    }
  }
  return arcs.join('.');
}

/** An OCTET STRING's value, joining the segments of a BER constructed one. */
export function octetString(buf: Buffer, t: Tlv, depth = 0): Buffer {
  if (t.tag === 0x04) return contentBytes(buf, t);
  if (t.tag === 0x24 && depth < MAX_DEPTH)
    return Buffer.concat(childrenOf(buf, t).map((c) => octetString(buf, c, depth + 1)));
  throw new AsnError('expected an OCTET STRING');
}

/** UTCTime (RFC 5280 §4.1.2.5.1: YY < 50 is 20YY) or GeneralizedTime, in UTC. */
export function timeValue(buf: Buffer, t: Tlv): Date {
  const text = contentBytes(buf, t).toString('latin1');
  const match =
    t.tag === 0x17
      ? /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})?(Z|[+-]\d{4})$/.exec(text)
      : t.tag === 0x18
        ? /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})?(\d{2})?(?:[.,](\d{1,9}))?(Z|[+-]\d{4})?$/.exec(text)
        : null;
  if (!match) throw new AsnError('not an ASN.1 time');
  const n = (i: number): number => Number(match[i] ?? 0);
  let year = n(1);
  if (t.tag === 0x17) year += year < 50 ? 2000 : 1900;
  const fraction = t.tag === 0x18 ? Number(`0.${match[7] ?? '0'}`) * 1000 : 0;
  const zone = match[t.tag === 0x17 ? 7 : 8] ?? 'Z';
  const offsetMinutes =
    zone === 'Z' ? 0 : (zone[0] === '-' ? -1 : 1) * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(3, 5)));
  const ms = Date.UTC(year, n(2) - 1, n(3), n(4), n(5), n(6)) + Math.round(fraction) - offsetMinutes * 60_000;
  const date = new Date(ms);
  if (
    Number.isNaN(date.getTime()) ||
    n(2) < 1 ||
    n(2) > 12 ||
    n(3) < 1 ||
    n(3) > 31 ||
    n(4) > 23 ||
    n(5) > 59 ||
    n(6) > 60
  )
    throw new AsnError('not a valid time');
  return date;
}

/** The bytes of a Buffer as the ArrayBuffer asn1js and pkijs read (a copy of exactly its window of the pool). */
export const toArrayBuffer = (b: Buffer): ArrayBuffer =>
  b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
