import { createHash } from 'node:crypto';
import type { IncrementalUpdate } from './incremental-writer';
import { PdfDict, PdfFormatError, PdfName, PdfStream, PdfString, isArray, isRef } from './objects';
import type { PdfObject, PdfRef } from './objects';
import type { PdfReader } from './reader';

/** Twelve digits per ByteRange number: files up to 1 TB, and no re-layout after the offsets are known (pyHanko #336). */
const BYTE_RANGE_PLACEHOLDER = 999_999_999_999;
const BYTE_RANGE_MARK = '/ByteRange [';
const CONTENTS_MARK = '/Contents <';

export type SignatureAppearance = {
  pageIndex: number;
  rect: [number, number, number, number];
  /** Form XObject already added to the update; absent for an invisible signature. */
  normal?: PdfRef;
};

export type SignatureFieldOptions = {
  kind: 'signature' | 'document-timestamp';
  /** Bytes reserved for the CMS / time-stamp token (hex doubles it in the file). */
  contentsSize: number;
  subFilter?: string;
  fieldName?: string;
  name?: string;
  reason?: string;
  location?: string;
  contactInfo?: string;
  signingTime?: Date;
  appearance?: SignatureAppearance;
  /** A certification signature (ISO 32000-1 §12.8.2.2): DocMDP permissions 1 (none), 2 (forms, signing) or 3 (plus annotations). */
  docMdp?: 1 | 2 | 3;
};

export type PreparedSignature = {
  /** The original file size: the update is appended at this offset. */
  baseSize: number;
  /** The update bytes with the final ByteRange written and the /Contents still zero. */
  update: Buffer;
  byteRange: [number, number, number, number];
  /** Offset inside `update` of the first hex digit of /Contents. */
  contentsHexOffset: number;
  contentsSize: number;
  fieldName: string;
};

/** PDF date string (ISO 32000-1 §7.9.4) in Vietnam time, as agencies read it. */
export function pdfDate(date: Date): string {
  const vn = new Date(date.getTime() + 7 * 3600_000);
  const p = (n: number): string => String(n).padStart(2, '0');
  return `D:${vn.getUTCFullYear()}${p(vn.getUTCMonth() + 1)}${p(vn.getUTCDate())}${p(vn.getUTCHours())}${p(vn.getUTCMinutes())}${p(vn.getUTCSeconds())}+07'00'`;
}

function existingFieldNames(reader: PdfReader, fields: PdfObject[]): Set<string> {
  const names = new Set<string>();
  for (const f of fields.slice(0, 10_000)) {
    const dict = reader.resolveDict(f);
    const t = dict?.get('T');
    if (t instanceof PdfString) names.add(t.text());
  }
  return names;
}

/**
 * Adds a signature (or document time-stamp) field with a widget on a page, and its value
 * dictionary with a fixed-width /ByteRange and a zeroed /Contents, to an incremental update.
 * Everything else the caller wants in the same revision (appearance XObjects, images) must be
 * added to `update` before this is called.
 */
export function prepareSignature(
  reader: PdfReader,
  update: IncrementalUpdate,
  options: SignatureFieldOptions,
): PreparedSignature {
  if (reader.encrypted) throw new PdfFormatError('the PDF is encrypted; decrypt it before signing');
  const catalogRef = reader.trailer.get('Root');
  if (!isRef(catalogRef)) throw new PdfFormatError('the trailer /Root is not a reference');
  const catalog = (reader.resolveDict(update.current(catalogRef)) ?? reader.catalog()).clone();
  const pages = reader.pages();
  const pageIndex = options.appearance?.pageIndex ?? 0;
  const page = pages[pageIndex];
  if (!page) throw new PdfFormatError(`the document has no page ${pageIndex + 1}`);

  // AcroForm: direct in the catalog, or an indirect dictionary we rewrite in this update.
  const acroEntry = catalog.get('AcroForm');
  const acroForm =
    (isRef(acroEntry) ? reader.resolveDict(update.current(acroEntry)) : reader.resolveDict(acroEntry))?.clone() ??
    new PdfDict();
  const fieldsEntry = acroForm.get('Fields');
  const fields = isRef(fieldsEntry) ? reader.resolve(update.current(fieldsEntry)) : (fieldsEntry ?? []);
  if (!isArray(fields)) throw new PdfFormatError('AcroForm /Fields is not an array');
  const taken = existingFieldNames(reader, fields);
  let fieldName = options.fieldName ?? '';
  for (let i = taken.size + 1; fieldName === '' || taken.has(fieldName); i += 1)
    fieldName = `${options.kind === 'signature' ? 'Signature' : 'DocTimeStamp'}${i}`;

  const value = new PdfDict();
  if (options.kind === 'signature') {
    value
      .set('Type', PdfName.of('Sig'))
      .set('Filter', PdfName.of('Adobe.PPKLite'))
      .set('SubFilter', PdfName.of(options.subFilter ?? 'ETSI.CAdES.detached'));
    value.set('M', PdfString.fromText(pdfDate(options.signingTime ?? new Date())));
    if (options.name) value.set('Name', PdfString.fromText(options.name));
    if (options.reason) value.set('Reason', PdfString.fromText(options.reason));
    if (options.location) value.set('Location', PdfString.fromText(options.location));
    if (options.contactInfo) value.set('ContactInfo', PdfString.fromText(options.contactInfo));
  } else {
    value
      .set('Type', PdfName.of('DocTimeStamp'))
      .set('Filter', PdfName.of('Adobe.PPKLite'))
      .set('SubFilter', PdfName.of('ETSI.RFC3161'));
  }
  value.set('ByteRange', [0, BYTE_RANGE_PLACEHOLDER, BYTE_RANGE_PLACEHOLDER, BYTE_RANGE_PLACEHOLDER]);
  value.set('Contents', new PdfString(Buffer.alloc(options.contentsSize), true));
  const valueRef = update.add(value);
  if (options.docMdp && options.kind === 'signature') {
    const params = new PdfDict()
      .set('Type', PdfName.of('TransformParams'))
      .set('P', options.docMdp)
      .set('V', PdfName.of('1.2'));
    value.set('Reference', [
      new PdfDict()
        .set('Type', PdfName.of('SigRef'))
        .set('TransformMethod', PdfName.of('DocMDP'))
        .set('TransformParams', params),
    ]);
    catalog.set('Perms', new PdfDict().set('DocMDP', valueRef));
  }

  const rect = options.appearance?.rect ?? [0, 0, 0, 0];
  let normal = options.appearance?.normal;
  if (!normal) {
    // PDF/A wants an appearance on every widget, even an invisible one.
    const empty = new PdfDict()
      .set('Type', PdfName.of('XObject'))
      .set('Subtype', PdfName.of('Form'))
      .set('BBox', [0, 0, 0, 0])
      .set('Resources', new PdfDict());
    normal = update.add(new PdfStream(empty, 0, 0, Buffer.alloc(0)));
  }
  const widget = new PdfDict()
    .set('Type', PdfName.of('Annot'))
    .set('Subtype', PdfName.of('Widget'))
    .set('FT', PdfName.of('Sig'))
    .set('T', PdfString.fromText(fieldName))
    .set('V', valueRef)
    .set('F', 132)
    .set('P', page.ref)
    .set('Rect', rect)
    .set('AP', new PdfDict().set('N', normal));
  const widgetRef = update.add(widget);

  const newFields = [...fields, widgetRef];
  if (isRef(fieldsEntry)) update.set(fieldsEntry, newFields);
  else acroForm.set('Fields', newFields);
  acroForm.set('SigFlags', 3);
  if (isRef(acroEntry)) {
    update.set(acroEntry, acroForm);
    if (options.docMdp) update.set(catalogRef, catalog);
  } else {
    catalog.set('AcroForm', acroForm);
    update.set(catalogRef, catalog);
  }

  const pageDict = (reader.resolveDict(update.current(page.ref)) ?? page.dict).clone();
  const annotsEntry = pageDict.get('Annots');
  const annots = isRef(annotsEntry) ? reader.resolve(update.current(annotsEntry)) : (annotsEntry ?? []);
  if (!isArray(annots)) throw new PdfFormatError('page /Annots is not an array');
  if (isRef(annotsEntry)) update.set(annotsEntry, [...annots, widgetRef]);
  else {
    pageDict.set('Annots', [...annots, widgetRef]);
    update.set(page.ref, pageDict);
  }

  const built = update.build([BYTE_RANGE_MARK, CONTENTS_MARK]);
  const brAt = built.marks.get(BYTE_RANGE_MARK);
  const contentsAt = built.marks.get(CONTENTS_MARK);
  if (brAt === undefined || contentsAt === undefined) throw new Error('signature placeholders not found in the update');
  const bytes = built.bytes;
  const baseSize = reader.size;
  const contentsStart = baseSize + contentsAt + '/Contents '.length;
  const contentsEnd = contentsStart + 2 + 2 * options.contentsSize;
  const byteRange: [number, number, number, number] = [
    0,
    contentsStart,
    contentsEnd,
    baseSize + bytes.length - contentsEnd,
  ];
  const slotStart = brAt + BYTE_RANGE_MARK.length;
  const slotEnd = bytes.indexOf(']', slotStart, 'latin1');
  const text = `0 ${byteRange[1]} ${byteRange[2]} ${byteRange[3]}`.padEnd(slotEnd - slotStart, ' ');
  if (text.length !== slotEnd - slotStart) throw new Error('ByteRange does not fit its placeholder');
  bytes.write(text, slotStart, 'latin1');
  return {
    baseSize,
    update: bytes,
    byteRange,
    contentsHexOffset: contentsAt + '/Contents <'.length,
    contentsSize: options.contentsSize,
    fieldName,
  };
}

/** Hashes the signed byte ranges, reading the original file in chunks so memory stays bounded. */
export function hashSignedRanges(
  reader: PdfReader,
  prepared: PreparedSignature,
  algorithm: 'sha256' | 'sha384' | 'sha512' = 'sha256',
): Buffer {
  const hash = createHash(algorithm);
  const [, firstEnd, secondStart] = prepared.byteRange;
  const chunk = 1 << 20;
  // The first range is the whole original file plus the update up to /Contents.
  for (let at = 0; at < prepared.baseSize; at += chunk)
    hash.update(reader.source.read(at, Math.min(chunk, prepared.baseSize - at)));
  hash.update(prepared.update.subarray(0, firstEnd - prepared.baseSize));
  hash.update(prepared.update.subarray(secondStart - prepared.baseSize));
  return hash.digest();
}

/**
 * Digest of the bytes a /ByteRange [offset length offset length …] covers in a signed file,
 * read in 1 MiB windows so memory stays bounded whatever the file size.
 */
export function digestByteRange(reader: PdfReader, range: readonly number[], algorithm: string): Buffer {
  const hash = createHash(algorithm);
  const chunk = 1 << 20;
  for (let i = 0; i + 1 < range.length; i += 2) {
    const start = range[i] as number;
    const length = range[i + 1] as number;
    for (let at = start; at < start + length; at += chunk)
      hash.update(reader.source.read(at, Math.min(chunk, start + length - at)));
  }
  return hash.digest();
}

/** Writes the CMS (or time-stamp token) into the zeroed /Contents of a prepared update. */
export function embedSignatureContents(prepared: PreparedSignature, der: Buffer): Buffer {
  if (der.length > prepared.contentsSize) {
    throw new PdfFormatError(
      `the signature container (${der.length} bytes) does not fit the ${prepared.contentsSize} bytes reserved`,
    );
  }
  const update = Buffer.from(prepared.update);
  update.write(der.toString('hex'), prepared.contentsHexOffset, 'latin1');
  return update;
}
