import { createHash } from 'node:crypto';
import { IncrementalUpdate } from './incremental-writer';
import { PdfDict, PdfFormatError, PdfName, PdfStream, isArray, isDict, isRef } from './objects';
import type { PdfObject, PdfRef } from './objects';
import type { PdfReader } from './reader';

export type ValidationMaterial = { certificates: Buffer[]; ocsps: Buffer[]; crls: Buffer[] };

/** VRI key (ETSI EN 319 142-1 §5.4.2.2): upper-case hex SHA-1 of the signature's /Contents bytes. */
export const vriKey = (signatureContents: Buffer): string =>
  createHash('sha1').update(signatureContents).digest('hex').toUpperCase();

function refsOf(reader: PdfReader, update: IncrementalUpdate, entry: PdfObject | undefined): PdfObject[] {
  if (entry === undefined) return [];
  const value = isRef(entry) ? reader.resolve(update.current(entry)) : entry;
  return isArray(value) ? [...value] : [];
}

/**
 * Adds or extends the Document Security Store (ISO 32000-2 §12.8.4.3, PAdES B-LT) in an
 * incremental update: certificates, OCSP responses and CRLs as streams, deduplicated against
 * what the DSS already holds, and a VRI entry per signature.
 */
export function addDss(
  reader: PdfReader,
  material: ValidationMaterial,
  vri: Map<string, ValidationMaterial> = new Map(),
): Buffer {
  if (reader.encrypted) throw new PdfFormatError('the PDF is encrypted');
  const update = new IncrementalUpdate(reader);
  const catalogRef = reader.trailer.get('Root');
  if (!isRef(catalogRef)) throw new PdfFormatError('the trailer /Root is not a reference');
  const catalog = reader.catalog().clone();
  const dssEntry = catalog.get('DSS');
  const dss = reader.resolveDict(dssEntry)?.clone() ?? new PdfDict();
  const known = new Map<string, PdfRef>();
  for (const key of ['Certs', 'OCSPs', 'CRLs']) {
    for (const ref of refsOf(reader, update, dss.get(key))) {
      const stream = reader.resolve(ref);
      if (isRef(ref) && stream instanceof PdfStream)
        known.set(createHash('sha256').update(reader.streamData(stream)).digest('hex'), ref);
    }
  }
  const streamRef = (der: Buffer): PdfRef => {
    const hash = createHash('sha256').update(der).digest('hex');
    let ref = known.get(hash);
    if (!ref) {
      ref = update.add(new PdfStream(new PdfDict(), 0, 0, der));
      known.set(hash, ref);
    }
    return ref;
  };
  const merge = (key: string, items: Buffer[]): PdfRef[] => {
    const existing = refsOf(reader, update, dss.get(key));
    const refs = items.map(streamRef);
    const all = [...existing];
    for (const r of refs) if (!all.some((e) => isRef(e) && e.num === r.num)) all.push(r);
    if (all.length) dss.set(key, all);
    return refs;
  };
  merge('Certs', material.certificates);
  merge('OCSPs', material.ocsps);
  merge('CRLs', material.crls);
  if (vri.size) {
    const vriEntry = dss.get('VRI');
    const vriDict =
      (isRef(vriEntry) ? reader.resolveDict(vriEntry) : isDict(vriEntry) ? vriEntry : undefined)?.clone() ??
      new PdfDict();
    for (const [key, m] of vri) {
      const entry = new PdfDict();
      if (m.certificates.length) entry.set('Cert', m.certificates.map(streamRef));
      if (m.ocsps.length) entry.set('OCSP', m.ocsps.map(streamRef));
      if (m.crls.length) entry.set('CRL', m.crls.map(streamRef));
      vriDict.set(key, entry);
    }
    dss.set('VRI', vriDict);
  }
  dss.set('Type', PdfName.of('DSS'));
  if (isRef(dssEntry)) update.set(dssEntry, dss);
  else catalog.set('DSS', update.add(dss));
  if (!isRef(dssEntry)) update.set(catalogRef, catalog);
  // ISO 32000-2 §12.8.4.3 needs PDF 2.0 or the ESIC extension level for DSS.
  const extensions = reader.resolveDict(catalog.get('Extensions'))?.clone() ?? new PdfDict();
  if (!extensions.has('ESIC')) {
    extensions.set('ESIC', new PdfDict().set('BaseVersion', PdfName.of('1.7')).set('ExtensionLevel', 5));
    catalog.set('Extensions', extensions);
    update.set(catalogRef, catalog);
  }
  return update.build().bytes;
}

/** Every signature value dictionary in the file with its /Contents bytes, in field order. */
export function signatureDictionaries(reader: PdfReader): { fieldName: string; value: PdfDict; contents: Buffer }[] {
  const acro = reader.resolveDict(reader.catalog().get('AcroForm'));
  const fields = reader.resolve(acro?.get('Fields'));
  const out: { fieldName: string; value: PdfDict; contents: Buffer }[] = [];
  if (!isArray(fields)) return out;
  const visit = (node: PdfObject, depth: number, prefix: string): void => {
    if (depth > 32) return;
    const dict = reader.resolveDict(node);
    if (!dict) return;
    const t = dict.get('T');
    const name = t && 'text' in (t as object) ? `${prefix}${(t as unknown as { text(): string }).text()}` : prefix;
    const kids = reader.resolve(dict.get('Kids'));
    if (isArray(kids)) for (const k of kids.slice(0, 10_000)) visit(k, depth + 1, name ? `${name}.` : '');
    const v = reader.resolveDict(dict.get('V'));
    const contents = v?.get('Contents');
    if (v && contents && typeof contents === 'object' && 'bytes' in contents)
      out.push({ fieldName: name, value: v, contents: (contents as { bytes: Buffer }).bytes });
  };
  for (const f of fields.slice(0, 10_000)) visit(f, 0, '');
  return out;
}
