// One rule per kind of change after a signature. Each either recognises the change (and says
// whether it is allowed) or leaves it to the next rule; what no rule recognises is not allowed.
import { PdfName, PdfStream, isArray, isDict, isName, isNumber, isRef } from '@vanthu/pdf';
import type { PdfDict, PdfObject } from '@vanthu/pdf';
import { shownText } from './appearance-text';
import { streamDrawing } from './content-tokens';
import { appearanceRoots, equivalentAcross, exclusiveTo } from './modification-scope';
import { area, canonical, changedKeys, dictOf, refNums } from './pdf-graph';
import { textOf } from './signature-dictionary';
import type { FieldLock, RevisionScope, Versions } from './modification-scope';
import type { ChangeClass } from './report';

export type Verdict = { classification: ChangeClass; allowed: boolean; detail: string };
/** `skip`: not a change at all (an identical rewrite, or file structure). `undefined`: another rule's case. */
export type ChangeRule = (scope: RevisionScope, num: number, versions: Versions) => Verdict | 'skip' | undefined;

const verdict = (classification: ChangeClass, allowed: boolean, detail: string): Verdict => ({
  classification,
  allowed,
  detail,
});

/**
 * Annotations that cannot hide signed content: a note's icon or its closed pop-up. Any
 * annotation's appearance may paint anything inside its /Rect (Evil Annotation Attack), so a
 * note whose rectangle is larger than an icon is not harmless, whatever its subtype.
 */
const HARMLESS_ANNOTATIONS = new Set(['Text', 'Popup']);
const NOTE_ICON_MAX_POINTS = 32;
// Version and XMP metadata are not displayed content; signing tools update them (pyHanko does).
// The logical structure (tagging, ISO 32000-1 §14.7-14.8) and the document's language are read
// by assistive technology, never drawn.
const ALLOWED_CATALOG_KEYS = new Set([
  'DSS',
  'AcroForm',
  'Extensions',
  'Version',
  'Metadata',
  'StructTreeRoot',
  'MarkInfo',
  'Lang',
]);
/** Links from a page or annotation into the structure tree's parent tree (§14.7.4.4): integers, not drawn. */
const STRUCTURE_LINK_KEYS = new Set(['StructParents', 'StructParent']);
/**
 * A page's tab order (ISO 32000-1 Table 30 /Tabs: R row, C column, S structure; ISO 32000-2 adds
 * A annotations and W widgets): the order keyboard focus moves through its annotations, never
 * drawn. Tagging tools set /Tabs /S with the structure tree.
 */
const TAB_ORDERS = new Set(['R', 'C', 'S', 'A', 'W']);
const isTabOrder = (v: PdfObject | undefined): boolean => v === undefined || (isName(v) && TAB_ORDERS.has(v.name));
/** Objects that draw, or are drawn: never mere structure or LTV data, whatever refers to them. */
const DRAWN_TYPES = new Set(['Page', 'Pages', 'XObject', 'Font', 'Annot', 'Pattern', 'Shading', 'ExtGState', 'OCG']);
const ALLOWED_ACROFORM_KEYS = new Set(['Fields', 'SigFlags', 'DR', 'DA', 'NeedAppearances']);
// A fill may switch the field's font (/DA) to one it adds to /DR.
const FORM_FILL_KEYS = ['V', 'AP', 'AS', 'MK', 'DA'];

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

const locked = (locks: FieldLock[], revision: number, name: string): boolean =>
  locks.some(
    (l) =>
      l.revision < revision &&
      (l.action === 'All' || (l.action === 'Include' ? l.fields.includes(name) : !l.fields.includes(name))),
  );

/**
 * ISO 32000-1 §12.8.2.2: P3 permits annotations, P1/P2 do not; an approval signature alone
 * restricts nothing, but only notes that cannot cover signed content are taken as harmless.
 */
function annotationAllowed(scope: RevisionScope, num: number): boolean {
  const d = dictOf(scope.after(num));
  const subtype = d?.get('Subtype');
  return (
    (scope.p === 3 || scope.p === null) &&
    isName(subtype) &&
    HARMLESS_ANNOTATIONS.has(subtype.name) &&
    (subtype.name === 'Popup' ? !d?.has('AP') && d?.get('Open') !== true : coversLittle(d))
  );
}

/** New entries of a list are new signature widgets or harmless notes; nothing was removed. */
function listGrowsHarmlessly(scope: RevisionScope, before: number[], after: number[]): boolean {
  const added = after.filter((n) => !before.includes(n));
  return (
    before.every((n) => after.includes(n)) &&
    added.every((n) => scope.newSignatureWidgets.has(n) || (scope.newAnnotations.has(n) && annotationAllowed(scope, n)))
  );
}

const unchanged: ChangeRule = ({ reader }, _num, { a, b }) =>
  b !== null && a !== null && canonical(reader, a) === canonical(reader, b) ? 'skip' : undefined;

const deleted: ChangeRule = (_scope, _num, { a }) =>
  a === null ? verdict('other', false, 'an object of the signed revision was deleted') : undefined;

// Cross-reference and object streams are file structure, not content.
const fileStructure: ChangeRule = (_scope, _num, { a, b }) => {
  const isStructure = (d: PdfDict | undefined): boolean =>
    isName(d?.get('Type'), 'XRef') || isName(d?.get('Type'), 'ObjStm');
  return a instanceof PdfStream && isStructure(a.dict) && (b === null || isStructure(dictOf(b))) ? 'skip' : undefined;
};

const newSignatureValue: ChangeRule = ({ p }, _num, { a, b }) => {
  const ad = dictOf(a);
  const type = ad?.get('Type');
  const sigValue =
    isName(type, 'Sig') ||
    isName(type, 'DocTimeStamp') ||
    (!!ad && ad.has('ByteRange') && ad.has('Contents') && ad.has('Filter'));
  if (b !== null || !sigValue) return undefined;
  const timestamp = isName(type, 'DocTimeStamp');
  if (timestamp) return verdict('document-timestamp', true, 'new document time-stamp');
  return p === 1
    ? verdict('signature', false, 'a new signature on a document certified with no changes allowed (DocMDP P1)')
    : verdict('signature', true, 'new signature value');
};

// Sneaky Signature Attack: in a certified document a new visible signature can paint over signed content.
const newSignatureWidget: ChangeRule = ({ p, newSignatureWidgets }, num, { a, b }) => {
  if (!newSignatureWidgets.has(num)) return undefined;
  const visible = area(dictOf(a)?.get('Rect')) > 0;
  const ok = p === null ? true : p !== 1 && (!visible || b !== null);
  const detail =
    b !== null
      ? 'a pre-existing empty signature field was signed'
      : visible && p !== null
        ? 'a new visible signature field in a certified document (Sneaky Signature)'
        : 'new signature field';
  return verdict('signature', ok, detail);
};

/**
 * Validation data (ISO 32000-2 §12.8.4.3) in any writer's shape: /Certs, /OCSPs, /CRLs, VRI
 * entries with /Cert, /OCSP, /CRL, /TU and /TS, direct or indirect. Only new objects or the
 * DSS's own, and only when nothing outside the DSS uses them: a page stream hung under /DSS
 * before signing (or a number a page refers to, defined later) stays a change.
 */
const validationData: ChangeRule = (scope, num, { b }) => {
  const { dssObjects, dssBefore } = scope;
  if (!dssObjects.has(num) || (b !== null && !dssBefore.has(num))) return undefined;
  return exclusiveTo(scope, num, new Set([...dssObjects, ...dssBefore]))
    ? verdict('dss', true, 'validation data (DSS)')
    : verdict('other', false, 'an object under /DSS that the pages or their resources also use was changed');
};

/** A page or annotation that only gains or changes its link into the structure tree. */
const structureLink: ChangeRule = ({ reader }, _num, { a, b }) => {
  const ad = dictOf(a);
  const bd = dictOf(b);
  if (!ad || !bd || a instanceof PdfStream) return undefined;
  const keys = changedKeys(reader, bd, ad);
  return keys.length > 0 &&
    keys.every((k) => STRUCTURE_LINK_KEYS.has(k) && (ad.get(k) === undefined || isNumber(ad.get(k))))
    ? verdict('structural', true, 'link into the structure tree (tagging): not displayed')
    : undefined;
};

/**
 * The logical structure (tagging): structure elements, the parent tree, role and class maps.
 * Read by assistive technology, never drawn; links from elements to pages and content are not
 * followed, and an object that anything outside the structure tree uses is not structure.
 */
const logicalStructure: ChangeRule = (scope, num, { a, b }) => {
  const { structObjects, structBefore } = scope;
  if (!structObjects.has(num) || (b !== null && !structBefore.has(num))) return undefined;
  const type = dictOf(a)?.get('Type');
  if (a instanceof PdfStream || (isName(type) && DRAWN_TYPES.has(type.name))) return undefined;
  return exclusiveTo(scope, num, new Set([...structObjects, ...structBefore]))
    ? verdict('structural', true, 'logical structure (tagging): not displayed')
    : undefined;
};

/** Streams that hold drawing operators: page contents and form XObjects (not images, fonts or data). */
const isContentStream = (d: PdfDict): boolean =>
  (!d.has('Subtype') || isName(d.get('Subtype'), 'Form')) &&
  (!d.has('Type') || isName(d.get('Type'), 'XObject')) &&
  !d.has('Length1') &&
  !d.has('Length2');

/**
 * A content stream rewritten with marked-content operators added or removed (tagging wraps text
 * in `/P <</MCID 0>> BDC … EMC`): the same drawing operators in the same order draw the same.
 * Optional content (/OC) is not tagging: it can hide what it wraps.
 */
const markedContent: ChangeRule = ({ reader }, _num, { a, b }) => {
  if (!(a instanceof PdfStream) || !(b instanceof PdfStream) || !isContentStream(a.dict)) return undefined;
  const keys = changedKeys(reader, b.dict, a.dict).filter((k) => !['Length', 'Filter', 'DecodeParms'].includes(k));
  if (keys.length) return undefined;
  try {
    const before = streamDrawing(b, () => reader.streamData(b));
    return before !== null && before === streamDrawing(a, () => reader.streamData(a))
      ? verdict('structural', true, 'marked content (tagging) added to a content stream: draws the same')
      : undefined;
  } catch {
    return undefined;
  }
};

/** New objects an equivalent page /Resources or /Contents is written with. */
const equivalentPart: ChangeRule = ({ justified }, num) =>
  justified.get(num) === 'structural'
    ? verdict('structural', true, 'part of a page dictionary rewritten with the same content')
    : undefined;

/** An object rewritten with the same meaning (a direct dictionary made indirect, renumbered, recompressed). */
const equivalentRewrite: ChangeRule = (scope, _num, { a, b }) =>
  a !== null && b !== null && equivalentAcross(scope, b, a)
    ? verdict('structural', true, 'rewritten with the same content (references followed)')
    : undefined;

const metadata: ChangeRule = ({ infoNum, metadataRefs }, num, { a, b }) => {
  if (infoNum === num) return verdict('metadata', true, 'document information (dates, producer) updated');
  if (metadataRefs.has(num) && (a instanceof PdfStream || b === null))
    return verdict('metadata', true, 'XMP metadata updated');
  return undefined;
};

const developerExtensions: ChangeRule = ({ extensions }, num, { a, b }) =>
  extensions.has(num) && isExtensionsValue(a) && (b === null || isExtensionsValue(b))
    ? verdict('metadata', true, 'developer extensions declared')
    : undefined;

/**
 * Form resources (ISO 32000-1 §12.7.2, /AcroForm /DR): fonts that field appearances may use.
 * Signers built on PDFBox and Adobe add Helv and ZaDb here with the next signature field. A
 * resource dictionary paints nothing by itself; a new one, or a /DR that only gains entries, is
 * housekeeping. A resource that existed before and changes is not (it could restyle a field).
 */
const formResources: ChangeRule = (scope, num, { a, b }) => {
  const { reader, formResources: now, formResourcesBefore: before, formResourceContainers: containers } = scope;
  if (!now.has(num)) return undefined;
  if (b === null) return verdict('structural', true, 'form resources (/AcroForm /DR) for fields: not displayed');
  const ad = dictOf(a);
  const bd = dictOf(b);
  if (!containers.has(num) || !before.has(num) || !isDict(a) || !bd || !ad) return undefined;
  const onlyAdded = [...bd.map.keys()].every(
    (k) => canonical(reader, bd.get(k) ?? null) === canonical(reader, ad.get(k) ?? null),
  );
  return onlyAdded ? verdict('structural', true, 'form resources (/AcroForm /DR) extended') : undefined;
};

const unreferencedNewObject: ChangeRule = ({ referenced, newAnnotations }, num, { b }) =>
  b === null && !referenced.has(num) && !newAnnotations.has(num)
    ? verdict('structural', true, 'a new object nothing refers to (not displayed)')
    : undefined;

const signatureAppearance: ChangeRule = ({ justified, p }, num) =>
  justified.get(num) === 'signature' ? verdict('signature', p !== 1, 'appearance of a new signature') : undefined;

const annotation: ChangeRule = (scope, num) => {
  const { newAnnotations, justified, p } = scope;
  if (!newAnnotations.has(num) && justified.get(num) !== 'annotation') return undefined;
  const owner = newAnnotations.has(num) ? num : [...newAnnotations][0];
  const ok = owner !== undefined && annotationAllowed(scope, owner);
  return verdict(
    'annotation',
    ok,
    ok
      ? p === 3
        ? 'a note annotation permitted by DocMDP P3'
        : 'a note annotation (icon-sized, cannot cover signed content)'
      : 'an annotation added after signing may cover signed content (Evil Annotation)',
  );
};

/** The field a widget or field dictionary belongs to: itself when it has /FT or /V, else its /Parent. */
function fieldOf(scope: RevisionScope, num: number, rev: number): PdfDict | undefined {
  const d = dictOf(scope.reader.objectAtRevision(num, rev));
  if (!d || d.has('FT') || d.has('V')) return d;
  const parent = d.get('Parent');
  return isRef(parent) ? dictOf(scope.reader.objectAtRevision(parent.num, rev)) : d;
}

/** The normal appearances (/AP /N streams) of a field and its widgets in revision `r`. */
function normalAppearances(scope: RevisionScope, owner: number): PdfObject[] {
  const { reader, r } = scope;
  return appearanceRoots(scope, owner, r).flatMap((root) => {
    const ap = dictOf(isRef(root) ? reader.objectAtRevision(root.num, r) : root);
    const n = ap?.get('N');
    const value = isRef(n) ? reader.objectAtRevision(n.num, r) : (n ?? null);
    return value instanceof PdfStream ? [value] : [];
  });
}

/**
 * A form fill (ISO 32000-1 §12.7.3) is permitted when DocMDP and FieldMDP allow it, it changes
 * only the value and what shows it, and the appearance follows from the value: a new appearance
 * for an unchanged value, or a text field showing other text than its value, is the shadow
 * "replace" attack through a form field.
 */
function fillVerdict(scope: RevisionScope, owner: number): Verdict {
  const { reader, names, locks, p, r, values, fillAppearances } = scope;
  const { a, b } = values.get(owner) as Versions;
  const ad = dictOf(a);
  const bd = dictOf(b);
  const name = names.get(owner) ?? '';
  // A field name re-encoded (literal to UTF-16 hex) by the saving tool is the same name.
  const sameText = (k: string): boolean => textOf(bd?.get(k)) !== null && textOf(bd?.get(k)) === textOf(ad?.get(k));
  const onlyValues =
    !bd || !ad || changedKeys(reader, bd, ad).every((k) => FORM_FILL_KEYS.includes(k) || (k === 'T' && sameText(k)));
  const isLocked = locked(locks, r, name);
  if (!onlyValues) return verdict('form-fill', false, 'a form field changed more than its value and appearance');
  if (isLocked) return verdict('form-fill', false, `field "${name}" is locked by a signature (FieldMDP)`);
  if (p === 1)
    return verdict('form-fill', false, 'form filling on a document certified with no changes allowed (DocMDP P1)');
  const fieldBefore = fieldOf(scope, owner, r - 1);
  const fieldAfter = fieldOf(scope, owner, r);
  const valueText = (d: PdfDict | undefined): string => canonical(reader, d?.get('V') ?? null);
  const valueChanged = valueText(fieldBefore) !== valueText(fieldAfter);
  const rootsText = (rev: number): string =>
    canonical(
      reader,
      appearanceRoots(scope, owner, rev).map((x) => x ?? null),
    );
  const rewritten = [...fillAppearances].filter(([, o]) => o === owner).map(([n]) => n);
  const appearanceChanged = rootsText(r - 1) !== rootsText(r) || rewritten.length > 0;
  if (appearanceChanged && !valueChanged)
    return verdict(
      'form-fill',
      false,
      `the appearance of field "${name}" was rewritten while its value stayed the same`,
    );
  const ft = fieldAfter?.get('FT') ?? dictOf(reader.resolve(fieldAfter?.get('Parent')))?.get('FT');
  if (valueChanged && appearanceChanged && isName(ft, 'Tx')) {
    const value = (textOf(fieldAfter?.get('V')) ?? '').replace(/\s+/g, '').normalize('NFC');
    const dr = formResourcesDict(scope);
    for (const appearance of normalAppearances(scope, owner)) {
      const shown = shownText(reader, appearance, dr, r);
      // An appearance that cannot be read cannot be shown to follow from the value (new or rewritten alike).
      if ('problem' in shown)
        return verdict(
          'form-fill',
          false,
          `the appearance of field "${name}" cannot be checked against its value: ${shown.problem}`,
        );
      if (shown.text !== value)
        return verdict(
          'form-fill',
          false,
          `the appearance of field "${name}" shows "${shown.text.slice(0, 40)}", not its value "${value.slice(0, 40)}"`,
        );
    }
  }
  return verdict('form-fill', true, `form field "${name}" filled`);
}

function formResourcesDict(scope: RevisionScope): PdfDict | undefined {
  const { reader, r } = scope;
  const at = (o: PdfObject | undefined): PdfObject => (isRef(o) ? reader.objectAtRevision(o.num, r) : (o ?? null));
  const root = reader.revisions[r]?.trailer.get('Root');
  const catalog = dictOf(at(root));
  const acroForm = dictOf(at(catalog?.get('AcroForm')));
  return dictOf(at(acroForm?.get('DR')));
}

const formFill: ChangeRule = (scope, num) => {
  const owner = scope.formFills.has(num) ? num : scope.fillAppearances.get(num);
  if (owner === undefined) return undefined;
  const fill = fillVerdict(scope, owner);
  return owner === num ? fill : verdict('form-fill', fill.allowed, `appearance: ${fill.detail}`);
};

/** Why an /AcroForm change is not one a signature makes; null when it is. */
function acroFormProblem(scope: RevisionScope, before: PdfDict | undefined, after: PdfDict | undefined): string | null {
  if (!before || !after) return null;
  const { reader, r } = scope;
  const bad = changedKeys(reader, before, after).filter((k) => !ALLOWED_ACROFORM_KEYS.has(k));
  if (bad.length) return `the interactive form changed: ${bad.join(', ')}`;
  const fieldsAt = (d: PdfDict, rev: number): number[] => {
    const v = d.get('Fields');
    return refNums(isRef(v) ? reader.objectAtRevision(v.num, rev) : v);
  };
  const b = fieldsAt(before, r - 1);
  const a = fieldsAt(after, r);
  if (!b.every((n) => a.includes(n))) return 'form fields were removed';
  if (!a.filter((n) => !b.includes(n)).every((n) => scope.newSignatureWidgets.has(n)))
    return 'form fields other than signature fields were added';
  return null;
}

/**
 * The catalog, rewritten in place or under a new object number (the trailer's /Root moved, as
 * writers that add /DSS without touching the old object do): compared with the revision
 * before's catalog either way.
 */
const catalog: ChangeRule = (scope, num, { a, b }) => {
  const { catalogNum, catalogBeforeNum } = scope;
  if (num !== catalogNum) return undefined;
  const moved = b === null && catalogBeforeNum !== undefined && catalogBeforeNum !== num;
  const ad = dictOf(a);
  const bd = dictOf(moved ? scope.before(catalogBeforeNum) : b);
  if (!ad || !bd) return undefined;
  const keys = changedKeys(scope.reader, bd, ad);
  const bad = keys.filter((k) => !ALLOWED_CATALOG_KEYS.has(k));
  const acroChange =
    keys.includes('AcroForm') && isDict(ad.get('AcroForm'))
      ? acroFormProblem(scope, dictOf(bd.get('AcroForm') ?? null), dictOf(ad.get('AcroForm') ?? null))
      : null;
  return verdict(
    'signature',
    bad.length === 0 && !acroChange,
    bad.length
      ? `the catalog changed: ${bad.join(', ')}`
      : (acroChange ??
          (moved ? 'catalog rewritten under a new object number, with the same content' : 'catalog updated')),
  );
};

const page: ChangeRule = (scope, _num, { a, b }) => {
  const ad = dictOf(a);
  const bd = dictOf(b);
  if (!isName(ad?.get('Type'), 'Page') || !ad || !bd) return undefined;
  const { reader, r } = scope;
  // Tagging links the page to the parent tree and sets its tab order; an equivalent /Resources or /Contents draws the same.
  const bad = changedKeys(reader, bd, ad).filter(
    (k) =>
      k !== 'Annots' &&
      !(STRUCTURE_LINK_KEYS.has(k) && (ad.get(k) === undefined || isNumber(ad.get(k)))) &&
      !(k === 'Tabs' && isTabOrder(ad.get(k))) &&
      !((k === 'Resources' || k === 'Contents') && equivalentAcross(scope, bd.get(k) ?? null, ad.get(k) ?? null)),
  );
  const annotsAt = (d: PdfDict, rev: number): number[] => {
    const v = d.get('Annots');
    return refNums(isRef(v) ? reader.objectAtRevision(v.num, rev) : v);
  };
  const annotsBefore = annotsAt(bd, r - 1);
  const annotsNow = annotsAt(ad, r);
  const annotsChanged = annotsBefore.length !== annotsNow.length || annotsBefore.some((n, i) => annotsNow[i] !== n);
  const annotsOk = listGrowsHarmlessly(scope, annotsBefore, annotsNow);
  return verdict(
    bad.length ? 'other' : annotsChanged ? 'signature' : 'structural',
    bad.length === 0 && annotsOk,
    bad.length
      ? `the page changed: ${bad.join(', ')}`
      : !annotsChanged
        ? 'page rewritten with the same content (tagging links, tab order, equivalent resources)'
        : annotsOk
          ? 'page annotations: a signature widget added'
          : 'annotations added to a signed page',
  );
};

// An indirect /Fields or /Annots array (new, or rewritten): existing entries kept, only new signature widgets added.
const referenceList: ChangeRule = (scope, num, { a, b }) => {
  if (!Array.isArray(a) || !(Array.isArray(b) || b === null) || !scope.referenced.has(num)) return undefined;
  const previous = Array.isArray(b)
    ? refNums(b)
    : refNums(a).filter((n) => scope.values.get(n) === undefined || scope.values.get(n)?.b !== null);
  const ok = listGrowsHarmlessly(scope, previous, refNums(a));
  return verdict('signature', ok, ok ? 'a signature field added to a list' : 'a field or annotation list changed');
};

const interactiveForm: ChangeRule = (scope, _num, { a, b }) => {
  const ad = dictOf(a);
  const bd = dictOf(b);
  if (!ad || !bd || !(ad.has('Fields') || ad.has('SigFlags')) || !bd.has('Fields')) return undefined;
  const problem = acroFormProblem(scope, bd, ad);
  return verdict('signature', !problem, problem ?? 'interactive form updated for a signature');
};

/** The rules in the order they are tried. */
export const CHANGE_RULES: ChangeRule[] = [
  unchanged,
  deleted,
  fileStructure,
  newSignatureValue,
  newSignatureWidget,
  validationData,
  metadata,
  developerExtensions,
  formResources,
  logicalStructure,
  structureLink,
  unreferencedNewObject,
  signatureAppearance,
  annotation,
  equivalentPart,
  formFill,
  catalog,
  page,
  referenceList,
  interactiveForm,
  equivalentRewrite,
  markedContent,
];

export const UNEXPLAINED = (b: PdfObject): Verdict =>
  verdict(
    'other',
    false,
    b === null
      ? 'an object added after signing that no signature, DSS or permitted form change uses'
      : 'an object of the signed revision was redefined',
  );
