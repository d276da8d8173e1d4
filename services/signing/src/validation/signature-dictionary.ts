// What a signature dictionary declares: its kind, its sub-filter, its claimed time and the
// DocMDP / FieldMDP transforms of its /Reference.
import { PdfString, isArray, isName } from '@vanthu/pdf';
import type { PdfDict, PdfObject, PdfReader } from '@vanthu/pdf';
import type { FieldLock } from './modification-scope';

export type SignatureKind = 'signature' | 'document-timestamp';

export function subFilterOf(value: PdfDict): string {
  const entry = value.get('SubFilter');
  return isName(entry) ? entry.name : '';
}

export const kindOf = (value: PdfDict, subFilter: string): SignatureKind =>
  subFilter === 'ETSI.RFC3161' || isName(value.get('Type'), 'DocTimeStamp') ? 'document-timestamp' : 'signature';

export type Transforms = { docMdp: 1 | 2 | 3 | null; lock: Omit<FieldLock, 'revision'> | null };

/**
 * A PDF text string decoded from a copy of its bytes: `PdfString.text()` swaps UTF-16 bytes in
 * place, so reading the same string twice (a field's value for the field and again for its
 * widget) would give garbage the second time.
 */
export const textOf = (o: PdfObject | undefined): string | null =>
  o instanceof PdfString ? new PdfString(Buffer.from(o.bytes), o.hex).text() : null;

/** DocMDP and FieldMDP transforms declared in a signature dictionary's /Reference (ISO 32000-1 §12.8.2). */
export function transforms(reader: PdfReader, value: PdfDict): Transforms {
  let docMdp: Transforms['docMdp'] = null;
  let lock: Transforms['lock'] = null;
  const refs = reader.resolve(value.get('Reference'));
  for (const r of isArray(refs) ? refs : []) {
    const d = reader.resolveDict(r);
    const params = reader.resolveDict(d?.get('TransformParams'));
    if (isName(d?.get('TransformMethod'), 'DocMDP')) {
      const p = params?.get('P');
      docMdp = p === 1 || p === 3 ? p : 2;
    } else if (isName(d?.get('TransformMethod'), 'FieldMDP')) {
      const action = params?.get('Action');
      const fields = reader.resolve(params?.get('Fields'));
      lock = {
        action: isName(action, 'Include') ? 'Include' : isName(action, 'Exclude') ? 'Exclude' : 'All',
        fields: isArray(fields) ? fields.map((f) => textOf(f) ?? '') : [],
      };
    }
  }
  return { docMdp, lock };
}

/** PDF date (D:YYYYMMDDHHmmSS+HH'mm') to a Date; null when unreadable. */
export function pdfDate(text: string | null): Date | null {
  const m = text ? /^D:(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?([Zz+-])?(\d{2})?'?(\d{2})?/.exec(text) : null;
  if (!m) return null;
  const [, y, mo = '01', d = '01', h = '00', mi = '00', s = '00', sign, oh = '00', om = '00'] = m;
  const offset = sign === '+' || sign === '-' ? `${sign}${oh}:${om}` : 'Z';
  const date = new Date(`${y}-${mo}-${d}T${h}:${mi}:${s}${offset}`);
  return Number.isNaN(date.getTime()) ? null : date;
}
