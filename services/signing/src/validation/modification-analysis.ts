import {
  PdfDict,
  PdfName,
  PdfRef,
  PdfStream,
  PdfString,
  isArray,
  isDict,
  isName,
  isNumber,
  isRef,
  serializeObject,
} from '@vanthu/pdf';
import type { PdfObject, PdfReader } from '@vanthu/pdf';
import type { ChangeClass, RevisionChange } from './report';

/** A certification signature's DocMDP level and the revision it signed (ISO 32000-1 §12.8.2.2). */
export type Certification = { permissions: 1 | 2 | 3; revision: number };
/** FieldMDP locks (ISO 32000-1 §12.8.2.4): fields a signature forbids changing after its revision. */
export type FieldLock = { revision: number; action: 'All' | 'Include' | 'Exclude'; fields: string[] };

/**
 * Annotations that cannot hide signed content: a note's icon or its closed pop-up. Any
 * annotation's appearance may paint anything inside its /Rect (Evil Annotation Attack), so a
 * note whose rectangle is larger than an icon is not harmless, whatever its subtype.
 */
const HARMLESS_ANNOTATIONS = new Set(['Text', 'Popup']);
const NOTE_ICON_MAX_POINTS = 32;

function coversLittle(annotation: PdfDict | undefined): boolean {
  const rect = annotation?.get('Rect');
  if (!Array.isArray(rect) || rect.length !== 4 || !rect.every((v) => typeof v === 'number' && Number.isFinite(v)))
    return false;
  const [x1, y1, x2, y2] = rect as number[];
  return (
    Math.abs((x2 as number) - (x1 as number)) <= NOTE_ICON_MAX_POINTS &&
    Math.abs((y2 as number) - (y1 as number)) <= NOTE_ICON_MAX_POINTS
  );
}
// Version and XMP metadata are not displayed content; signing tools update them (pyHanko does).
const ALLOWED_CATALOG_KEYS = new Set(['DSS', 'AcroForm', 'Extensions', 'Version', 'Metadata']);
const ALLOWED_ACROFORM_KEYS = new Set(['Fields', 'SigFlags', 'DR', 'DA', 'NeedAppearances']);

/** A canonical text of an object: dictionary keys sorted, so a rewritten but equal object compares equal. */
export function canonical(reader: PdfReader, obj: PdfObject, depth = 0): string {
  if (depth > 64) return '…';
  if (obj instanceof PdfStream)
    return `${canonical(reader, obj.dict, depth + 1)}stream:${reader.rawStreamData(obj).toString('base64')}`;
  if (obj instanceof PdfDict) {
    const keys = [...obj.map.keys()].filter((k) => k !== 'Length').sort();
    return `<<${keys.map((k) => `/${k} ${canonical(reader, obj.map.get(k) as PdfObject, depth + 1)}`).join(' ')}>>`;
  }
  if (Array.isArray(obj)) return `[${obj.map((o) => canonical(reader, o, depth + 1)).join(' ')}]`;
  return serializeObject(obj);
}

function dictOf(obj: PdfObject): PdfDict | undefined {
  if (isDict(obj)) return obj;
  if (obj instanceof PdfStream) return obj.dict;
  return undefined;
}

/** Keys whose values differ between two dictionaries. */
function changedKeys(reader: PdfReader, before: PdfDict, after: PdfDict): string[] {
  const keys = new Set([...before.map.keys(), ...after.map.keys()]);
  return [...keys].filter((k) => canonical(reader, before.get(k) ?? null) !== canonical(reader, after.get(k) ?? null));
}

/** Object numbers reachable from `start` in revision `rev` (bounded). */
function reachable(reader: PdfReader, start: PdfObject | undefined, rev: number, limit = 5_000): Set<number> {
  const out = new Set<number>();
  const stack: { o: PdfObject | undefined; d: number }[] = [{ o: start, d: 0 }];
  while (stack.length && out.size < limit) {
    const { o, d } = stack.pop() as { o: PdfObject | undefined; d: number };
    if (o === undefined || d > 24) continue;
    if (o instanceof PdfRef) {
      if (out.has(o.num)) continue;
      out.add(o.num);
      let value: PdfObject = null;
      try {
        value = reader.objectAtRevision(o.num, rev);
      } catch {
        value = null;
      }
      stack.push({ o: value, d: d + 1 });
    } else if (Array.isArray(o)) for (const x of o) stack.push({ o: x, d: d + 1 });
    else if (o instanceof PdfDict) {
      for (const [k, v] of o.map) if (k !== 'Parent' && k !== 'P') stack.push({ o: v, d: d + 1 });
    } else if (o instanceof PdfStream) stack.push({ o: o.dict, d: d + 1 });
  }
  return out;
}

/** References written directly in an object (not followed). */
function directRefs(obj: PdfObject, out: Set<number>, depth = 0): void {
  if (depth > 64) return;
  if (obj instanceof PdfRef) out.add(obj.num);
  else if (Array.isArray(obj)) for (const x of obj) directRefs(x, out, depth + 1);
  else if (obj instanceof PdfDict) for (const v of obj.map.values()) directRefs(v, out, depth + 1);
  else if (obj instanceof PdfStream) directRefs(obj.dict, out, depth + 1);
}

/** A developer-extensions dictionary or entry: declarations only (ISO 32000-1 §7.12.3), nothing displayable. */
function isExtensionsValue(obj: PdfObject): boolean {
  const entry = (o: PdfObject): boolean =>
    isDict(o) &&
    isName(o.get('Type') ?? PdfName.of('DeveloperExtensions'), 'DeveloperExtensions') &&
    [...o.map.values()].every((v) => !isRef(v) && !isDict(v) && !(v instanceof PdfStream));
  if (isArray(obj)) return obj.every(entry);
  if (!isDict(obj)) return false;
  if (isName(obj.get('Type'), 'DeveloperExtensions')) return entry(obj);
  return [...obj.map.values()].every((v) => entry(v) || (isArray(v) && v.every(entry)));
}

/** Who refers to whom in revision `rev` (-1 stands for the trailer): built only when a rule needs it. */
function referrersAt(reader: PdfReader, rev: number): Map<number, Set<number>> {
  const map = new Map<number, Set<number>>();
  const note = (from: number, obj: PdfObject): void => {
    const refs = new Set<number>();
    directRefs(obj, refs);
    for (const to of refs) {
      let set = map.get(to);
      if (!set) map.set(to, (set = new Set()));
      set.add(from);
    }
  };
  note(-1, reader.revisions[rev]?.trailer ?? null);
  for (const num of reader.objectNumbers()) {
    if (num === 0 || !reader.entryAtRevision(num, rev)) continue;
    try {
      note(num, reader.objectAtRevision(num, rev));
    } catch {
      // an unreadable object refers to nothing we can see
    }
  }
  return map;
}

const refNums = (arr: PdfObject | undefined): number[] => (isArray(arr) ? arr.filter(isRef).map((r) => r.num) : []);

const area = (rect: PdfObject | undefined): number => {
  if (!isArray(rect) || rect.length !== 4 || !rect.every(isNumber)) return 0;
  const [x1, y1, x2, y2] = rect as number[];
  return Math.abs(((x2 as number) - (x1 as number)) * ((y2 as number) - (y1 as number)));
};

/** Full field names by object number, from the field tree of revision `rev`. */
function fieldNames(reader: PdfReader, rev: number): Map<number, string> {
  const names = new Map<number, string>();
  const root = reader.revisions[rev]?.trailer.get('Root');
  const at = (o: PdfObject | undefined): PdfObject => (isRef(o) ? reader.objectAtRevision(o.num, rev) : (o ?? null));
  try {
    const catalog = dictOf(at(root));
    const acro = dictOf(at(catalog?.get('AcroForm')));
    const fields = at(acro?.get('Fields'));
    const visit = (node: PdfObject, prefix: string, depth: number): void => {
      if (!isRef(node) || depth > 32 || names.has(node.num) || names.size > 10_000) return;
      const dict = dictOf(at(node));
      if (!dict) return;
      const t = dict.get('T');
      const name = t instanceof PdfString ? `${prefix}${t.text()}` : prefix.replace(/\.$/, '');
      names.set(node.num, name);
      const kids = at(dict.get('Kids'));
      if (isArray(kids)) for (const k of kids) visit(k, `${name}.`, depth + 1);
    };
    if (isArray(fields)) for (const f of fields) visit(f, '', 0);
  } catch {
    // a broken field tree only costs names in the report
  }
  return names;
}

const locked = (locks: FieldLock[], revision: number, name: string): boolean =>
  locks.some(
    (l) =>
      l.revision < revision &&
      (l.action === 'All' || (l.action === 'Include' ? l.fields.includes(name) : !l.fields.includes(name))),
  );

function describe(obj: PdfObject, num: number, catalogNum: number | undefined): string {
  if (num === catalogNum) return 'document catalog';
  const dict = dictOf(obj);
  if (!dict) return Array.isArray(obj) ? 'array' : obj === null ? 'deleted object' : 'value';
  const type = dict.get('Type');
  const subtype = dict.get('Subtype');
  if (isName(type, 'Page')) return 'page';
  if (isName(type, 'Pages')) return 'page tree';
  if (isName(type, 'Font') || isName(subtype, 'Type0') || isName(subtype, 'TrueType')) return 'font';
  if (isName(subtype, 'Form')) return 'form XObject';
  if (isName(subtype, 'Image')) return 'image';
  if (isName(type, 'Annot') || dict.has('Rect')) return `annotation ${isName(subtype) ? subtype.name : ''}`.trim();
  if (obj instanceof PdfStream) return 'stream (page content or data)';
  if (dict.has('FT') || dict.has('T')) return 'form field';
  return isName(type) ? `dictionary /${type.name}` : 'dictionary';
}

/**
 * Compares every revision with the one before it, object by object, and classifies each change
 * as allowed (new signatures and their fields and appearances, the DSS, document time-stamps,
 * form filling DocMDP and FieldMDP permit) or not. Strict: whatever is not recognised is not
 * allowed (signing.md §2, Incremental Saving and shadow attacks).
 */
export function analyseModifications(
  reader: PdfReader,
  certification: Certification | null,
  locks: FieldLock[],
): RevisionChange[] {
  const changes: RevisionChange[] = [];
  const last = reader.revisions.length - 1;
  const rootRef = reader.trailer.get('Root');
  const catalogNum = isRef(rootRef) ? rootRef.num : undefined;
  for (let r = 1; r <= last; r += 1) {
    const revision = reader.revisions[r];
    if (!revision) continue;
    const before = (num: number): PdfObject => reader.objectAtRevision(num, r - 1);
    const after = (num: number): PdfObject => reader.objectAtRevision(num, r);
    const catalogAfter = dictOf(
      isRef(revision.trailer.get('Root')) ? after((revision.trailer.get('Root') as PdfRef).num) : null,
    );
    const dssObjects = reachable(reader, catalogAfter?.get('DSS'), r);
    const rootBefore = reader.revisions[r - 1]?.trailer.get('Root');
    const dssBefore = reachable(
      reader,
      dictOf(isRef(rootBefore) ? reader.objectAtRevision(rootBefore.num, r - 1) : null)?.get('DSS'),
      r - 1,
    );
    const names = fieldNames(reader, r);
    const changed = [...revision.entries.keys()].filter((n) => n !== 0);
    // First pass: new signature values, signature widgets and annotations, to justify what they reference.
    const newSignatureWidgets = new Set<number>();
    const newAnnotations = new Set<number>();
    const formFills = new Set<number>();
    const values = new Map<number, { b: PdfObject; a: PdfObject }>();
    for (const num of changed) {
      const a = after(num);
      const b = before(num);
      values.set(num, { a, b });
      const ad = dictOf(a);
      if (!ad) continue;
      const isWidget = isName(ad.get('Subtype'), 'Widget');
      // A widget may be a kid of the signature field and inherit /FT from its parent.
      const parent = ad.get('Parent');
      const parentDict = isRef(parent) ? dictOf(after(parent.num)) : undefined;
      const sigField = isName(ad.get('FT'), 'Sig') || (isWidget && isName(parentDict?.get('FT'), 'Sig'));
      if (sigField && (b === null || !dictOf(b)?.has('V'))) newSignatureWidgets.add(num);
      else if (b === null && (isName(ad.get('Type'), 'Annot') || ad.has('Rect')) && !isWidget) newAnnotations.add(num);
      else if (b !== null && (ad.has('FT') || ad.has('V') || isWidget) && !isName(ad.get('FT'), 'Sig'))
        formFills.add(num);
    }
    // Widgets that are kids of a new signature field (possibly through an indirect /Kids array) are part of it.
    for (const field of [...newSignatureWidgets]) {
      const kidsEntry = dictOf(after(field))?.get('Kids');
      const kids = isRef(kidsEntry) ? after(kidsEntry.num) : (kidsEntry ?? null);
      for (const k of refNums(kids)) if (values.get(k)?.b === null) newSignatureWidgets.add(k);
    }
    const justified = new Map<number, ChangeClass>();
    for (const w of newSignatureWidgets)
      for (const n of reachable(reader, dictOf(after(w))?.get('AP'), r))
        if (values.get(n)?.b === null) justified.set(n, 'signature');
    // Signing a pre-existing empty field replaces that field's own appearance streams.
    // Only when nothing else refers to those streams: otherwise the "appearance" repaints other content (pyHanko's sneaky cases).
    let referrers: Map<number, Set<number>> | undefined;
    for (const w of newSignatureWidgets) {
      if (values.get(w)?.b === null) continue;
      const own = reachable(reader, dictOf(before(w))?.get('AP'), r - 1);
      const redefined = [...reachable(reader, dictOf(after(w))?.get('AP'), r)].filter(
        (n) => own.has(n) && values.has(n),
      );
      if (redefined.length === 0) continue;
      referrers ??= referrersAt(reader, r - 1);
      const map = referrers;
      // Every object of the old appearance must be the field's alone, all the way down.
      const exclusive = [...own].every((m) => [...(map.get(m) ?? [])].every((from) => from === w || own.has(from)));
      if (exclusive) for (const n of redefined) justified.set(n, 'signature');
    }
    // A new object nothing in this revision refers to is not displayed; a later reference to it is a change of its own.
    const referenced = new Set<number>();
    for (const { a } of values.values()) directRefs(a, referenced);
    directRefs(revision.trailer, referenced);
    const infoRef = revision.trailer.get('Info');
    const metadataRefs = new Set<number>();
    // Developer extensions (ISO 32000-1 §7.12) declare features; signing tools add ESIC for PAdES.
    const extensions = reachable(reader, catalogAfter?.get('Extensions'), r);
    for (const cat of [
      catalogAfter,
      dictOf(isRef(rootBefore) ? reader.objectAtRevision(rootBefore.num, r - 1) : null),
    ]) {
      const m = cat?.get('Metadata');
      if (isRef(m)) metadataRefs.add(m.num);
    }
    for (const w of newAnnotations)
      for (const n of reachable(reader, dictOf(after(w))?.get('AP'), r))
        if (values.get(n)?.b === null) justified.set(n, 'annotation');
    for (const w of formFills)
      for (const n of reachable(reader, dictOf(after(w))?.get('AP'), r))
        if (values.get(n)?.b === null) justified.set(n, 'form-fill');

    const p = certification && certification.revision < r ? certification.permissions : null;
    // ISO 32000-1 §12.8.2.2: P3 permits annotations, P1/P2 do not; an approval signature alone
    // restricts nothing, but only notes that cannot cover signed content are taken as harmless.
    const annotationAllowed = (num: number): boolean => {
      const d = dictOf(after(num));
      const subtype = d?.get('Subtype');
      return (
        (p === 3 || p === null) &&
        isName(subtype) &&
        HARMLESS_ANNOTATIONS.has(subtype.name) &&
        (subtype.name === 'Popup' ? !d?.has('AP') && d?.get('Open') !== true : coversLittle(d))
      );
    };
    const push = (num: number, classification: ChangeClass, allowed: boolean, detail: string): void => {
      changes.push({
        revision: r,
        object: num,
        what: describe(values.get(num)?.a ?? null, num, catalogNum),
        classification,
        allowed,
        detail,
      });
    };

    for (const num of changed) {
      const { a, b } = values.get(num) as { a: PdfObject; b: PdfObject };
      if (b !== null && a !== null && canonical(reader, a) === canonical(reader, b)) continue;
      const ad = dictOf(a);
      const bd = dictOf(b);
      const type = ad?.get('Type');
      if (a === null) {
        push(num, 'other', false, 'an object of the signed revision was deleted');
        continue;
      }
      if (
        a instanceof PdfStream &&
        (isName(type, 'XRef') || isName(type, 'ObjStm')) &&
        (b === null || isName(bd?.get('Type'), 'XRef') || isName(bd?.get('Type'), 'ObjStm'))
      ) {
        continue; // cross-reference and object streams are file structure, not content
      }
      const sigValue =
        isName(type, 'Sig') ||
        isName(type, 'DocTimeStamp') ||
        (!!ad && ad.has('ByteRange') && ad.has('Contents') && ad.has('Filter'));
      if (b === null && sigValue) {
        const timestamp = isName(type, 'DocTimeStamp');
        push(
          num,
          timestamp ? 'document-timestamp' : 'signature',
          p !== 1 || timestamp,
          timestamp
            ? 'new document time-stamp'
            : p === 1
              ? 'a new signature on a document certified with no changes allowed (DocMDP P1)'
              : 'new signature value',
        );
        continue;
      }
      if (newSignatureWidgets.has(num)) {
        // Sneaky Signature Attack: in a certified document a new visible signature can paint over signed content.
        const visible = area(ad?.get('Rect')) > 0;
        const ok = p === null ? true : p !== 1 && (!visible || b !== null);
        push(
          num,
          'signature',
          ok,
          b === null
            ? visible && p !== null
              ? 'a new visible signature field in a certified document (Sneaky Signature)'
              : 'new signature field'
            : 'a pre-existing empty signature field was signed',
        );
        continue;
      }
      // Only new objects or the DSS's own dictionaries: an old page stream hung under /DSS stays a change.
      if (dssObjects.has(num) && (b === null || dssBefore.has(num))) {
        push(num, 'dss', true, 'validation data (DSS)');
        continue;
      }
      if (
        (isRef(infoRef) && infoRef.num === num) ||
        (metadataRefs.has(num) && (a instanceof PdfStream || b === null))
      ) {
        push(
          num,
          'metadata',
          true,
          isRef(infoRef) && infoRef.num === num
            ? 'document information (dates, producer) updated'
            : 'XMP metadata updated',
        );
        continue;
      }
      if (extensions.has(num) && isExtensionsValue(a) && (b === null || isExtensionsValue(b))) {
        push(num, 'metadata', true, 'developer extensions declared');
        continue;
      }
      if (b === null && !referenced.has(num) && !newAnnotations.has(num)) {
        push(num, 'structural', true, 'a new object nothing refers to (not displayed)');
        continue;
      }
      const why = justified.get(num);
      if (why === 'signature') {
        push(num, 'signature', p !== 1, 'appearance of a new signature');
        continue;
      }
      if (newAnnotations.has(num) || why === 'annotation') {
        const owner = newAnnotations.has(num) ? num : [...newAnnotations][0];
        const ok = owner !== undefined && annotationAllowed(owner);
        push(
          num,
          'annotation',
          ok,
          ok
            ? p === 3
              ? 'a note annotation permitted by DocMDP P3'
              : 'a note annotation (icon-sized, cannot cover signed content)'
            : 'an annotation added after signing may cover signed content (Evil Annotation)',
        );
        continue;
      }
      if (formFills.has(num) || why === 'form-fill') {
        const name = names.get(num) ?? '';
        const onlyValues = !bd || !ad || changedKeys(reader, bd, ad).every((k) => ['V', 'AP', 'AS', 'MK'].includes(k));
        const ok = onlyValues && p !== 1 && !locked(locks, r, name);
        push(
          num,
          'form-fill',
          ok,
          !onlyValues
            ? 'a form field changed more than its value and appearance'
            : locked(locks, r, name)
              ? `field "${name}" is locked by a signature (FieldMDP)`
              : p === 1
                ? 'form filling on a document certified with no changes allowed (DocMDP P1)'
                : `form field "${name}" filled`,
        );
        continue;
      }
      if (num === catalogNum && ad && bd) {
        const keys = changedKeys(reader, bd, ad);
        const bad = keys.filter((k) => !ALLOWED_CATALOG_KEYS.has(k));
        const acroChange =
          keys.includes('AcroForm') && isDict(ad.get('AcroForm'))
            ? acroFormProblem(
                reader,
                dictOf(bd.get('AcroForm') ?? null),
                dictOf(ad.get('AcroForm') ?? null),
                newSignatureWidgets,
                r,
              )
            : null;
        push(
          num,
          'signature',
          bad.length === 0 && !acroChange,
          bad.length
            ? `the catalog changed: ${bad.join(', ')}`
            : (acroChange ?? 'catalog updated for a signature or the DSS'),
        );
        continue;
      }
      if (isName(ad?.get('Type'), 'Page') && ad && bd) {
        const keys = changedKeys(reader, bd, ad);
        const bad = keys.filter((k) => k !== 'Annots');
        const annotsAt = (d: PdfDict, rev: number): number[] => {
          const v = d.get('Annots');
          return refNums(isRef(v) ? reader.objectAtRevision(v.num, rev) : v);
        };
        const beforeAnnots = annotsAt(bd, r - 1);
        const afterAnnots = annotsAt(ad, r);
        const added = afterAnnots.filter((n) => !beforeAnnots.includes(n));
        const kept = beforeAnnots.every((n) => afterAnnots.includes(n));
        const annotsOk =
          kept && added.every((n) => newSignatureWidgets.has(n) || (newAnnotations.has(n) && annotationAllowed(n)));
        push(
          num,
          bad.length ? 'other' : 'signature',
          bad.length === 0 && annotsOk,
          bad.length
            ? `the page changed: ${bad.join(', ')}`
            : annotsOk
              ? 'page annotations: a signature widget added'
              : 'annotations added to a signed page',
        );
        continue;
      }
      if (Array.isArray(a) && (Array.isArray(b) || b === null) && referenced.has(num)) {
        // An indirect /Fields or /Annots array (new, or rewritten): existing entries kept, only new signature widgets added.
        const previous = Array.isArray(b)
          ? refNums(b)
          : refNums(a).filter((n) => values.get(n) === undefined || values.get(n)?.b !== null);
        const added = refNums(a).filter((n) => !previous.includes(n));
        const kept = previous.every((n) => refNums(a).includes(n));
        const ok =
          kept && added.every((n) => newSignatureWidgets.has(n) || (newAnnotations.has(n) && annotationAllowed(n)));
        push(num, 'signature', ok, ok ? 'a signature field added to a list' : 'a field or annotation list changed');
        continue;
      }
      if (ad && bd && (ad.has('Fields') || ad.has('SigFlags')) && bd.has('Fields')) {
        const problem = acroFormProblem(reader, bd, ad, newSignatureWidgets, r);
        push(num, 'signature', !problem, problem ?? 'interactive form updated for a signature');
        continue;
      }
      push(
        num,
        'other',
        false,
        b === null
          ? 'an object added after signing that no signature, DSS or permitted form change uses'
          : 'an object of the signed revision was redefined',
      );
    }
  }
  return changes;
}

function acroFormProblem(
  reader: PdfReader,
  before: PdfDict | undefined,
  after: PdfDict | undefined,
  newWidgets: Set<number>,
  r: number,
): string | null {
  if (!before || !after) return null;
  const bad = changedKeys(reader, before, after).filter((k) => !ALLOWED_ACROFORM_KEYS.has(k));
  if (bad.length) return `the interactive form changed: ${bad.join(', ')}`;
  const fieldsAt = (d: PdfDict, rev: number): number[] => {
    const v = d.get('Fields');
    return refNums(isRef(v) ? reader.objectAtRevision(v.num, rev) : v);
  };
  const b = fieldsAt(before, r - 1);
  const a = fieldsAt(after, r);
  if (!b.every((n) => a.includes(n))) return 'form fields were removed';
  if (!a.filter((n) => !b.includes(n)).every((n) => newWidgets.has(n)))
    return 'form fields other than signature fields were added';
  return null;
}

export { PdfName };
