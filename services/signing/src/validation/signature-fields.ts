import { PdfStream, PdfString, isArray, isName, isNumber, isRef } from '@vanthu/pdf';
import type { PdfObject, PdfReader, PdfRef, PdfDict } from '@vanthu/pdf';
import { textOf } from './signature-dictionary';

/** A signature field with a value, as the newest revision shows it. */
export type SignatureField = {
  fieldName: string;
  fieldRef: PdfRef | null;
  valueRef: PdfRef | null;
  value: PdfDict;
  contents: Buffer | null;
};

/**
 * Every signature field that has a value: /FT /Sig (inherited along /Parent) or a value of
 * /Type /Sig or /DocTimeStamp. Unlike a viewer we keep fields whose /Contents is missing or
 * broken, so such fields fail instead of disappearing (Universal Signature Forgery).
 */
export function signatureFields(reader: PdfReader): SignatureField[] {
  const acro = reader.resolveDict(reader.catalog().get('AcroForm'));
  const fields = reader.resolve(acro?.get('Fields'));
  const out: SignatureField[] = [];
  if (!isArray(fields)) return out;
  const seen = new Set<string>();
  const visit = (node: PdfObject, depth: number, prefix: string, inheritedFt: string | null): void => {
    if (depth > 32 || out.length > 1000) return;
    if (isRef(node)) {
      if (seen.has(node.key)) return;
      seen.add(node.key);
    }
    const dict = reader.resolveDict(node);
    if (!dict) return;
    const t = dict.get('T');
    const name = t instanceof PdfString ? `${prefix}${textOf(t) ?? ''}` : prefix.replace(/\.$/, '');
    const ftEntry = dict.get('FT');
    const ft = isName(ftEntry) ? ftEntry.name : inheritedFt;
    const kids = reader.resolve(dict.get('Kids'));
    if (isArray(kids)) for (const k of kids.slice(0, 10_000)) visit(k, depth + 1, name ? `${name}.` : '', ft);
    const vEntry = dict.get('V');
    const value = reader.resolveDict(vEntry);
    const type = value?.get('Type');
    if (!value || !(ft === 'Sig' || isName(type, 'Sig') || isName(type, 'DocTimeStamp'))) return;
    const contents = value.get('Contents');
    out.push({
      fieldName: name,
      fieldRef: isRef(node) ? node : null,
      valueRef: isRef(vEntry) ? vEntry : null,
      value,
      contents: contents instanceof PdfString ? contents.bytes : null,
    });
  };
  for (const f of fields.slice(0, 10_000)) visit(f, 0, '', null);
  return out;
}

export type ByteRangeCheck =
  { ok: true; range: [number, number, number, number]; signedRevision: number } | { ok: false; problem: string };

/**
 * The ByteRange rules against signature forgery and wrapping (ARCHITECTURE.md, Services): four non-negative integers [0 a b c]; the gap
 * holds exactly the hex /Contents string and nothing else; the signed part ends at a revision
 * boundary; the signature dictionary lies inside the signed bytes.
 */
export function checkByteRange(reader: PdfReader, field: SignatureField): ByteRangeCheck {
  const range = field.value.get('ByteRange');
  if (range === undefined) return { ok: false, problem: 'the signature has no /ByteRange' };
  if (!isArray(range) || range.length !== 4 || !range.every((n) => isNumber(n) && Number.isInteger(n) && n >= 0))
    return { ok: false, problem: 'the /ByteRange is not four non-negative integers' };
  const [a, b, c, d] = range as [number, number, number, number];
  if (a !== 0) return { ok: false, problem: 'the /ByteRange does not start at byte 0' };
  if (!(b < c)) return { ok: false, problem: 'the /ByteRange ranges overlap or are out of order' };
  if (c + d > reader.size) return { ok: false, problem: 'the /ByteRange reaches beyond the end of the file' };
  if (!field.contents) return { ok: false, problem: 'the signature has no /Contents string' };
  // The gap must be exactly `<hex>` of the /Contents: anything else is signature wrapping.
  const gap = reader.source.read(b, c - b);
  if (gap.length !== c - b || gap[0] !== 0x3c || gap[gap.length - 1] !== 0x3e)
    return { ok: false, problem: 'the bytes left out of the /ByteRange are not the /Contents hex string' };
  const hex = gap.subarray(1, gap.length - 1).toString('latin1');
  if (!/^[0-9a-fA-F]*$/.test(hex) || hex.length % 2 !== 0)
    return { ok: false, problem: 'the bytes left out of the /ByteRange contain more than the /Contents hex string' };
  if (!Buffer.from(hex, 'hex').equals(field.contents))
    return { ok: false, problem: 'the /ByteRange gap is not where this signature’s /Contents lies' };
  const end = c + d;
  const signedRevision = reader.revisions.findIndex(
    (r) =>
      r.endOffset === end ||
      (r.endOffset > end &&
        reader.source
          .read(end, r.endOffset - end)
          .toString('latin1')
          .trim() === ''),
  );
  if (signedRevision < 0)
    return { ok: false, problem: `the signed bytes end at ${end}, which is not the end of a revision` };
  if (field.valueRef) {
    const entry = reader.entryAtRevision(field.valueRef.num, signedRevision);
    if (!entry || entry.type === 'free')
      return { ok: false, problem: 'the signature dictionary is not part of the signed revision' };
    if (entry.type === 'offset' && !(entry.offset < b))
      return { ok: false, problem: 'the signature dictionary lies outside the signed bytes' };
  }
  return { ok: true, range: [a, b, c, d], signedRevision };
}

/**
 * Object numbers defined twice in the body of one revision (the collision attack: parsers
 * disagree on which copy counts). Scans `N G obj` headers between the revision's bounds. Headers
 * inside the data of a stream the revision lists (a PDF attached as /EmbeddedFile, an evidence
 * record) are that stream's bytes, not objects of this file: they are left out.
 */
export function duplicateObjects(reader: PdfReader, revisionIndex: number): number[] {
  const start = revisionIndex === 0 ? 0 : (reader.revisions[revisionIndex - 1]?.endOffset ?? 0);
  const end = reader.revisions[revisionIndex]?.endOffset ?? reader.size;
  const bytes = reader.source.read(start, end - start);
  const headers = new Map<number, number[]>();
  let duplicated = false;
  // Every "N G obj" that starts a line; scanning for the keyword and reading back is several
  // times faster than a regular expression over the revision decoded as text.
  for (let at = bytes.indexOf('obj'); at >= 0; at = bytes.indexOf('obj', at + 3)) {
    const n = objectNumberBefore(bytes, at);
    if (n === null) continue;
    const list = headers.get(n);
    if (list) {
      list.push(start + at);
      duplicated = true;
    } else headers.set(n, [start + at]);
  }
  if (!duplicated) return [];
  const inside = streamBodies(reader, revisionIndex, start, end);
  const dup: number[] = [];
  for (const [n, positions] of headers)
    if (positions.filter((p) => !inside.some(([from, to]) => p >= from && p < to)).length > 1) dup.push(n);
  return dup;
}

/** Byte ranges of the data of every stream object the revision's xref places inside [start, end). */
function streamBodies(reader: PdfReader, revisionIndex: number, start: number, end: number): [number, number][] {
  const out: [number, number][] = [];
  for (const entry of reader.revisions[revisionIndex]?.entries.values() ?? []) {
    if (entry.type !== 'offset' || entry.offset < start || entry.offset >= end) continue;
    try {
      const { value } = reader.objectAt(entry.offset);
      if (value instanceof PdfStream && !value.data) out.push([value.dataOffset, value.dataOffset + value.dataLength]);
    } catch {
      // an unreadable object hides nothing: its headers count
    }
  }
  return out;
}

// PDF white space without NUL (ISO 32000-1 §7.2.2), which is what the parser treats as separators here.
const isSpace = (b: number | undefined): boolean =>
  b === 0x20 || b === 0x09 || b === 0x0c || b === 0x0b || b === 0x0a || b === 0x0d;
const isDigit = (b: number | undefined): boolean => b !== undefined && b >= 0x30 && b <= 0x39;
const isWordByte = (b: number | undefined): boolean =>
  b !== undefined && (isDigit(b) || (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a) || b === 0x5f);

/** N of "N G obj" whose keyword is at `at`, when N starts a line (or the revision); else null. */
function objectNumberBefore(bytes: Buffer, at: number): number | null {
  if (isWordByte(bytes[at + 3])) return null;
  let i = at - 1;
  const skipSpace = (): boolean => {
    const from = i;
    while (i >= 0 && isSpace(bytes[i])) i -= 1;
    return i < from;
  };
  const skipDigits = (max: number): boolean => {
    const from = i;
    while (i >= 0 && isDigit(bytes[i])) i -= 1;
    return i < from && from - i <= max;
  };
  if (!skipSpace() || !skipDigits(5) || !skipSpace()) return null;
  const numEnd = i;
  if (!skipDigits(10)) return null;
  const numStart = i + 1;
  // Only white space lies between the number and the start of the revision or a line end.
  const before = i;
  skipSpace();
  let startsLine = i < 0;
  for (let m = i + 1; m <= before && !startsLine; m += 1) startsLine = bytes[m] === 0x0a || bytes[m] === 0x0d;
  if (!startsLine) return null;
  return Number(bytes.toString('latin1', numStart, numEnd + 1));
}
