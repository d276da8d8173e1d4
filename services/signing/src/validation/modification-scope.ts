import { isName, isRef } from '@vanthu/pdf';
import type { PdfDict, PdfObject, PdfReader } from '@vanthu/pdf';
import { canonical, deepCanonical, dictOf, directRefs, fieldNames, reachable, referrersAt, refNums } from './pdf-graph';
import type { ChangeClass } from './report';

/** A certification signature's DocMDP level and the revision it signed (ISO 32000-1 §12.8.2.2). */
export type Certification = { permissions: 1 | 2 | 3; revision: number };
/** FieldMDP locks (ISO 32000-1 §12.8.2.4): fields a signature forbids changing after its revision. */
export type FieldLock = { revision: number; action: 'All' | 'Include' | 'Exclude'; fields: string[] };

export type Versions = { b: PdfObject; a: PdfObject };

/** What the change rules know about revision `r` compared with revision `r - 1`. */
export type RevisionScope = {
  reader: PdfReader;
  r: number;
  /** DocMDP level of a certification signed before this revision; null when not certified. */
  p: 1 | 2 | 3 | null;
  locks: FieldLock[];
  /** The catalog of this revision and of the one before: a writer may move it to a new number (to add /DSS). */
  catalogNum: number | undefined;
  catalogBeforeNum: number | undefined;
  before: (num: number) => PdfObject;
  after: (num: number) => PdfObject;
  /** Objects this revision's section lists (object 0 left out), with both versions. */
  changed: number[];
  values: Map<number, Versions>;
  newSignatureWidgets: Set<number>;
  newAnnotations: Set<number>;
  formFills: Set<number>;
  /** New objects an allowed owner (a new signature, annotation or form fill) uses for its appearance. */
  justified: Map<number, ChangeClass>;
  /** Appearance objects of a filled field (new, or its own rewritten in place) and the field or widget they belong to. */
  fillAppearances: Map<number, number>;
  /** Objects some object of this revision, or its trailer, refers to directly. */
  referenced: Set<number>;
  dssObjects: Set<number>;
  dssBefore: Set<number>;
  extensions: Set<number>;
  metadataRefs: Set<number>;
  infoNum: number | undefined;
  names: Map<number, string>;
  /** Objects under /AcroForm /DR now and in the revision before (fonts fields may use). */
  formResources: Set<number>;
  formResourcesBefore: Set<number>;
  /** The /DR dictionary and its category dictionaries (/Font, /XObject…) when they are indirect objects. */
  formResourceContainers: Set<number>;
  /** The logical structure (ISO 32000-1 §14.7) now and before, not following links to pages and content. */
  structObjects: Set<number>;
  structBefore: Set<number>;
  /** Who refers to whom in the revision before and in this one (built only when a rule asks). */
  referrersBefore: () => Map<number, Set<number>>;
  referrersNow: () => Map<number, Set<number>>;
};

/** Links a structure element has to the content it describes (§14.7.4): followed, they would reach pages and streams. */
const TO_CONTENT = new Set(['Parent', 'P', 'Pg', 'Obj', 'Stm', 'StmOwn']);

/** Keys of a page that may be rewritten to something equivalent (same meaning, new objects). */
const EQUIVALENT_PAGE_KEYS = ['Resources', 'Contents'];

/**
 * True when everything that refers to `num`, before and now, is one of `owners` (or the catalog):
 * a DSS or structure object that a page, an annotation or a resource also uses is not merely LTV
 * data or tagging, and changing it may change what is shown.
 */
export function exclusiveTo(scope: RevisionScope, num: number, owners: ReadonlySet<number>): boolean {
  const ok = (from: number): boolean =>
    owners.has(from) || from === scope.catalogNum || from === scope.catalogBeforeNum;
  const before = scope.values.get(num)?.b === null ? [] : [...(scope.referrersBefore().get(num) ?? [])];
  return before.every(ok) && [...(scope.referrersNow().get(num) ?? [])].every(ok);
}

export function revisionScope(
  reader: PdfReader,
  r: number,
  certification: Certification | null,
  locks: FieldLock[],
): RevisionScope {
  const revision = reader.revisions[r];
  if (!revision) throw new Error(`no revision ${r}`);
  const rootNum = (rev: number): number | undefined => {
    const root = reader.revisions[rev]?.trailer.get('Root');
    return isRef(root) ? root.num : undefined;
  };
  const before = (num: number): PdfObject => reader.objectAtRevision(num, r - 1);
  const after = (num: number): PdfObject => reader.objectAtRevision(num, r);
  const catalogAt = (rev: number): ReturnType<typeof dictOf> => {
    const root = reader.revisions[rev]?.trailer.get('Root');
    return dictOf(isRef(root) ? reader.objectAtRevision(root.num, rev) : null);
  };
  const catalogAfter = catalogAt(r);
  const catalogBefore = catalogAt(r - 1);
  const changed = [...revision.entries.keys()].filter((n) => n !== 0);
  const values = new Map<number, Versions>();
  for (const num of changed) values.set(num, { a: after(num), b: before(num) });
  const metadataRefs = new Set<number>();
  for (const cat of [catalogAfter, catalogBefore]) {
    const m = cat?.get('Metadata');
    if (isRef(m)) metadataRefs.add(m.num);
  }
  const infoRef = revision.trailer.get('Info');
  let referrersBefore: Map<number, Set<number>> | undefined;
  let referrersNow: Map<number, Set<number>> | undefined;
  const scope: RevisionScope = {
    reader,
    r,
    p: certification && certification.revision < r ? certification.permissions : null,
    locks,
    catalogNum: rootNum(r),
    catalogBeforeNum: rootNum(r - 1),
    before,
    after,
    changed,
    values,
    newSignatureWidgets: new Set(),
    newAnnotations: new Set(),
    formFills: new Set(),
    justified: new Map(),
    fillAppearances: new Map(),
    referenced: referencedIn(values, revision.trailer),
    dssObjects: reachable(reader, catalogAfter?.get('DSS'), r),
    dssBefore: reachable(reader, catalogBefore?.get('DSS'), r - 1),
    // Developer extensions (ISO 32000-1 §7.12) declare features; signing tools add ESIC for PAdES.
    extensions: reachable(reader, catalogAfter?.get('Extensions'), r),
    metadataRefs,
    infoNum: isRef(infoRef) ? infoRef.num : undefined,
    names: fieldNames(reader, r),
    ...formResourcesOf(reader, r, catalogAfter, catalogBefore),
    structObjects: reachable(reader, catalogAfter?.get('StructTreeRoot'), r, 20_000, TO_CONTENT),
    structBefore: reachable(reader, catalogBefore?.get('StructTreeRoot'), r - 1, 20_000, TO_CONTENT),
    referrersBefore: () => (referrersBefore ??= referrersAt(reader, r - 1)),
    referrersNow: () => (referrersNow ??= referrersAt(reader, r)),
  };
  findOwners(scope);
  justifyNewAppearances(scope, scope.newSignatureWidgets, 'signature');
  justifyRewrittenSignatureAppearances(scope);
  justifyNewAppearances(scope, scope.newAnnotations, 'annotation');
  justifyFillAppearances(scope);
  justifyEquivalentPageParts(scope);
  return scope;
}

/**
 * A page whose /Resources (or /Contents) is replaced by an equivalent one, often as new objects
 * (a writer making a direct dictionary indirect, or renumbering it): the new objects that the
 * equivalent value uses are part of that rewrite. Whether the page itself is allowed is the
 * page rule's question.
 */
function justifyEquivalentPageParts(scope: RevisionScope): void {
  const { reader, r, values } = scope;
  for (const [num, { a, b }] of values) {
    const ad = dictOf(a);
    const bd = dictOf(b);
    if (!ad || !bd || !isName(ad.get('Type'), 'Page')) continue;
    for (const key of EQUIVALENT_PAGE_KEYS) {
      const now = ad.get(key) ?? null;
      if (canonical(reader, now) === canonical(reader, bd.get(key) ?? null)) continue;
      if (!equivalentAcross(scope, bd.get(key) ?? null, now)) continue;
      for (const n of reachable(reader, now, r))
        if (values.get(n)?.b === null && n !== num) scope.justified.set(n, 'structural');
    }
  }
}

/** The value as of the revision before and as of this one mean the same (references followed). */
export function equivalentAcross(scope: RevisionScope, before: PdfObject, now: PdfObject): boolean {
  const b = deepCanonical(scope.reader, before, scope.r - 1);
  return b !== null && b === deepCanonical(scope.reader, now, scope.r);
}

/** What /AcroForm /DR holds in revisions `r` and `r - 1`. */
function formResourcesOf(
  reader: PdfReader,
  r: number,
  catalogAfter: PdfDict | undefined,
  catalogBefore: PdfDict | undefined,
): Pick<RevisionScope, 'formResources' | 'formResourcesBefore' | 'formResourceContainers'> {
  const at = (o: PdfObject | undefined, rev: number): PdfObject =>
    isRef(o) ? reader.objectAtRevision(o.num, rev) : (o ?? null);
  const dr = (catalog: PdfDict | undefined, rev: number): PdfObject | undefined =>
    dictOf(at(catalog?.get('AcroForm'), rev))?.get('DR');
  const drAfter = dr(catalogAfter, r);
  const containers = new Set<number>();
  if (isRef(drAfter)) containers.add(drAfter.num);
  const drDict = dictOf(at(drAfter, r));
  for (const v of drDict?.map.values() ?? []) if (isRef(v)) containers.add(v.num);
  return {
    formResources: reachable(reader, drAfter, r),
    formResourcesBefore: reachable(reader, dr(catalogBefore, r - 1), r - 1),
    formResourceContainers: containers,
  };
}

/** A new object nothing in this revision refers to is not displayed; a later reference to it is a change of its own. */
function referencedIn(values: Map<number, Versions>, trailer: PdfObject): Set<number> {
  const referenced = new Set<number>();
  for (const { a } of values.values()) directRefs(a, referenced);
  directRefs(trailer, referenced);
  return referenced;
}

/** New signature values' widgets, new annotations and filled form fields: they justify what they reference. */
function findOwners(scope: RevisionScope): void {
  const { after, values } = scope;
  for (const [num, { a, b }] of values) {
    const ad = dictOf(a);
    if (!ad) continue;
    const isWidget = isName(ad.get('Subtype'), 'Widget');
    // A widget may be a kid of the signature field and inherit /FT from its parent.
    const parent = ad.get('Parent');
    const parentDict = isRef(parent) ? dictOf(after(parent.num)) : undefined;
    const sigField = isName(ad.get('FT'), 'Sig') || (isWidget && isName(parentDict?.get('FT'), 'Sig'));
    if (sigField && (b === null || !dictOf(b)?.has('V'))) scope.newSignatureWidgets.add(num);
    else if (b === null && (isName(ad.get('Type'), 'Annot') || ad.has('Rect')) && !isWidget)
      scope.newAnnotations.add(num);
    else if (b !== null && (ad.has('FT') || ad.has('V') || isWidget) && !isName(ad.get('FT'), 'Sig'))
      scope.formFills.add(num);
  }
  // Widgets that are kids of a new signature field (possibly through an indirect /Kids array) are part of it.
  for (const field of [...scope.newSignatureWidgets]) {
    const kidsEntry = dictOf(after(field))?.get('Kids');
    const kids = isRef(kidsEntry) ? after(kidsEntry.num) : (kidsEntry ?? null);
    for (const k of refNums(kids)) if (values.get(k)?.b === null) scope.newSignatureWidgets.add(k);
  }
}

/** New objects under the /AP of a new signature widget, a new annotation or a filled field belong to it. */
function justifyNewAppearances(scope: RevisionScope, owners: Set<number>, why: ChangeClass): void {
  for (const w of owners)
    for (const n of reachable(scope.reader, dictOf(scope.after(w))?.get('AP'), scope.r))
      if (scope.values.get(n)?.b === null) scope.justified.set(n, why);
}

/** The /AP entries of a field or widget and of its kid widgets, as of revision `rev`. */
export function appearanceRoots(scope: RevisionScope, num: number, rev: number): PdfObject[] {
  const at = (n: number): PdfObject => scope.reader.objectAtRevision(n, rev);
  const dict = dictOf(at(num));
  const kidsEntry = dict?.get('Kids');
  const kids = refNums(isRef(kidsEntry) ? at(kidsEntry.num) : (kidsEntry ?? null));
  return [dict?.get('AP') ?? null, ...kids.map((k) => dictOf(at(k))?.get('AP') ?? null)];
}

/**
 * A form fill writes the field's appearance anew: as new objects, or by rewriting the field's own
 * appearance streams in place (Adobe and PDFBox do the latter). Rewritten objects count only when
 * nothing but the field and its widgets refers to them, directly or through objects that are
 * the field's alone (`fieldsOwn`); whether the fill itself is permitted, and
 * whether the new appearance follows from the new value, is the change rules' question.
 */
function justifyFillAppearances(scope: RevisionScope): void {
  const { reader, r, values } = scope;
  for (const owner of scope.formFills) {
    const now = new Set<number>();
    for (const root of appearanceRoots(scope, owner, r)) for (const n of reachable(reader, root, r)) now.add(n);
    for (const n of now)
      if (values.get(n)?.b === null) {
        scope.justified.set(n, 'form-fill');
        scope.fillAppearances.set(n, owner);
      }
    const own = new Set<number>();
    for (const root of appearanceRoots(scope, owner, r - 1)) for (const n of reachable(reader, root, r - 1)) own.add(n);
    const redefined = [...now].filter((n) => own.has(n) && values.has(n) && values.get(n)?.b !== null);
    if (redefined.length === 0) continue;
    const widgets = new Set([owner, ...refNums(dictOf(scope.before(owner))?.get('Kids') ?? null)]);
    const exclusive = fieldsOwn(own, widgets, scope.referrersBefore());
    for (const n of redefined) {
      if (!exclusive.has(n)) continue;
      scope.justified.set(n, 'form-fill');
      scope.fillAppearances.set(n, owner);
    }
  }
}

/**
 * The objects of a field's old appearance that only the field shows: referred to, in the revision
 * before, by nothing but its widgets and other such objects (the largest such set, so a cycle
 * inside the appearance stays the field's). A font the appearance shares with a page or with
 * /DR is not the field's, nor is anything under it: rewriting it would change what the page
 * shows too. The appearance stream itself stays the field's when only its widget refers to it,
 * whatever fonts it uses (a composite font embedded once for the page and the form).
 */
function fieldsOwn(own: Set<number>, widgets: Set<number>, referrers: Map<number, Set<number>>): Set<number> {
  const exclusive = new Set(own);
  for (let changed = true; changed;) {
    changed = false;
    for (const m of exclusive)
      if ([...(referrers.get(m) ?? [])].some((from) => !widgets.has(from) && !exclusive.has(from))) {
        exclusive.delete(m);
        changed = true;
      }
  }
  return exclusive;
}

/**
 * Signing a pre-existing empty field replaces that field's own appearance streams, but only when
 * nothing else refers to those streams: otherwise the "appearance" repaints other content
 * (pyHanko's sneaky cases).
 */
function justifyRewrittenSignatureAppearances(scope: RevisionScope): void {
  const { reader, r, values } = scope;
  for (const w of scope.newSignatureWidgets) {
    if (values.get(w)?.b === null) continue;
    const own = reachable(reader, dictOf(scope.before(w))?.get('AP'), r - 1);
    const redefined = [...reachable(reader, dictOf(scope.after(w))?.get('AP'), r)].filter(
      (n) => own.has(n) && values.has(n),
    );
    if (redefined.length === 0) continue;
    const map = scope.referrersBefore();
    // Every object of the old appearance must be the field's alone, all the way down.
    const exclusive = [...own].every((m) => [...(map.get(m) ?? [])].every((from) => from === w || own.has(from)));
    if (exclusive) for (const n of redefined) scope.justified.set(n, 'signature');
  }
}
