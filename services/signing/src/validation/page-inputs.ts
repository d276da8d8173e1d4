// The structural pre-check of the visual check (issue 11): before rendering a page as signed and
// as now, compare what it is drawn from in both revisions. Tagging and housekeeping reach pages
// (a /StructParents link, a /Tabs order, a /Resources dictionary made indirect) without changing
// anything drawn; such a page need not be rendered. Anything that cannot be shown equal here is
// rendered. This trusts the one reading of the file the cross-reference checks leave (ambiguous
// hybrid tables and duplicate objects fail before this runs).
import { PdfDict, PdfRef, PdfStream, isArray, isName, serializeObject } from '@vanthu/pdf';
import type { PdfObject, PdfReader } from '@vanthu/pdf';
import { streamDrawing } from './content-tokens';
import { dictOf } from './pdf-graph';

/** Links into the structure tree (integers, ISO 32000-1 §14.7.4.4): read by assistive technology, never drawn. */
const STRUCTURE_LINKS: ReadonlySet<string> = new Set(['StructParent', 'StructParents']);
/** Page attributes a page may inherit from its ancestors (ISO 32000-1 §7.7.3.4, Table 30) that decide what it draws. */
const INHERITED = ['Resources', 'MediaBox', 'CropBox', 'Rotate'];
/** Page attributes of the page itself that change how it is drawn: scale and transparency group. */
const OWN = ['UserUnit', 'Group'];
/** Catalog entries that change how every page is drawn: optional content's default state, output intents. */
const DOCUMENT = ['OCProperties', 'OutputIntents'];
/** Upward links, compared as object numbers (the page or field they name is compared on its own, or not drawn). */
const UPWARD = new Set(['Parent', 'P']);
const STREAM_ENCODING = new Set(['Length', 'Filter', 'DecodeParms']);
const NOTHING: ReadonlySet<string> = new Set();
/** Objects one comparison may visit; beyond, the page is rendered. */
const MAX_NODES = 50_000;

class TooLarge extends Error {}

/**
 * Compares values of two revisions by meaning: references followed (a direct value and an
 * indirect one are the same value), dictionary keys unordered, streams by their decoded bytes.
 * An object whose cross-reference entry is the same in both revisions is the same bytes, so its
 * stream data is not decoded again; what it refers to is still compared.
 */
class Comparison {
  private nodes = 0;
  private readonly seen = new Set<string>();

  constructor(
    private readonly reader: PdfReader,
    private readonly revA: number,
    private readonly revB: number,
    private readonly ignore: ReadonlySet<string> = NOTHING,
  ) {}

  /** Whether object `num` is the same stored object in both revisions. */
  stored(num: number): boolean {
    const a = this.reader.entryAtRevision(num, this.revA);
    const b = this.reader.entryAtRevision(num, this.revB);
    if (a === b) return a !== undefined;
    if (a?.type === 'offset' && b?.type === 'offset') return a.offset === b.offset;
    return (
      a?.type === 'compressed' &&
      b?.type === 'compressed' &&
      a.stream === b.stream &&
      a.index === b.index &&
      this.stored(a.stream)
    );
  }

  same(a: PdfObject, b: PdfObject, depth = 0): boolean {
    if ((this.nodes += 1) > MAX_NODES || depth > 48) throw new TooLarge();
    if (a instanceof PdfRef || b instanceof PdfRef) {
      const key = `${a instanceof PdfRef ? a.num : 'd'}:${b instanceof PdfRef ? b.num : 'd'}`;
      // Compared already or being compared (a cycle): its outcome is decided where it was first met.
      if (a instanceof PdfRef && b instanceof PdfRef && this.seen.has(key)) return true;
      this.seen.add(key);
      const identical = a instanceof PdfRef && b instanceof PdfRef && a.num === b.num && this.stored(a.num);
      const va = a instanceof PdfRef ? this.reader.objectAtRevision(a.num, this.revA) : a;
      const vb = b instanceof PdfRef ? this.reader.objectAtRevision(b.num, this.revB) : b;
      return this.sameValue(va, vb, depth, identical);
    }
    return this.sameValue(a, b, depth, false);
  }

  private sameValue(a: PdfObject, b: PdfObject, depth: number, identical: boolean): boolean {
    if (a instanceof PdfStream || b instanceof PdfStream) {
      if (!(a instanceof PdfStream && b instanceof PdfStream)) return false;
      if (!this.sameDict(a.dict, b.dict, depth, STREAM_ENCODING)) return false;
      return identical || this.reader.streamData(a).equals(this.reader.streamData(b));
    }
    if (a instanceof PdfDict || b instanceof PdfDict) {
      return a instanceof PdfDict && b instanceof PdfDict && this.sameDict(a, b, depth, NOTHING);
    }
    if (isArray(a) || isArray(b)) {
      if (!(isArray(a) && isArray(b)) || a.length !== b.length) return false;
      return a.every((x, i) => this.same(x, b[i] as PdfObject, depth + 1));
    }
    return serializeObject(a) === serializeObject(b);
  }

  private sameDict(a: PdfDict, b: PdfDict, depth: number, leaveOut: ReadonlySet<string>): boolean {
    const keys = (d: PdfDict): string[] =>
      [...d.map.keys()].filter((k) => k !== 'Length' && !leaveOut.has(k) && !this.ignore.has(k)).sort();
    const ka = keys(a);
    const kb = keys(b);
    if (ka.length !== kb.length || ka.some((k, i) => k !== kb[i])) return false;
    return ka.every((k) => {
      const va = a.get(k) as PdfObject;
      const vb = b.get(k) as PdfObject;
      if (UPWARD.has(k) && va instanceof PdfRef && vb instanceof PdfRef) return va.num === vb.num;
      return this.same(va, vb, depth + 1);
    });
  }
}

const at = (reader: PdfReader, o: PdfObject | undefined, rev: number): PdfObject =>
  o instanceof PdfRef ? reader.objectAtRevision(o.num, rev) : (o ?? null);

/**
 * Whether the catalog entries that decide how every page is drawn are the same in both
 * revisions; false when a reader builds field appearances itself (/NeedAppearances), so that
 * field values, /DA and /DR, not compared page by page, decide what widgets show.
 */
export function sameDocumentInputs(reader: PdfReader, revA: number, revB: number): boolean {
  try {
    const catalogs = [revA, revB].map((rev) => dictOf(at(reader, reader.revisions[rev]?.trailer.get('Root'), rev)));
    const [a, b] = catalogs;
    if (!a || !b) return false;
    if (catalogs.some((c, i) => dictOf(at(reader, c?.get('AcroForm'), i ? revB : revA))?.get('NeedAppearances')))
      return false;
    const compare = new Comparison(reader, revA, revB);
    return DOCUMENT.every((k) => compare.same(a.get(k) ?? null, b.get(k) ?? null));
  } catch {
    return false;
  }
}

/** A page attribute as of `rev`, looked up through its ancestors when inheritable. */
function attribute(reader: PdfReader, page: PdfDict, key: string, rev: number, inherited: boolean): PdfObject {
  let node: PdfDict | undefined = page;
  for (let depth = 0; node && depth < 32; depth += 1) {
    const v = node.get(key);
    if (v !== undefined || !inherited) return v ?? null;
    node = dictOf(at(reader, node.get('Parent'), rev));
  }
  return null;
}

/** The content streams of a page as of `rev` (a stream or an array of them), or null when one is not a stream. */
function contentStreams(
  reader: PdfReader,
  page: PdfDict,
  rev: number,
): { refs: PdfObject[]; streams: PdfStream[] } | null {
  const entry = at(reader, page.get('Contents'), rev);
  const refs = isArray(entry) ? entry : page.get('Contents') === undefined ? [] : [page.get('Contents') ?? null];
  const streams = refs.map((r) => at(reader, r, rev));
  return streams.every((s) => s instanceof PdfStream) ? { refs, streams: streams as PdfStream[] } : null;
}

/**
 * Whether page `pageNum` is drawn from the same inputs in revisions `revA` and `revB`: its
 * content streams (decoded, read as drawing operators with marked content for tagging set aside,
 * optional content kept), its resources and annotations by value with their
 * appearances, its boxes, rotation, scale and group (inherited ones looked up), leaving out only
 * links into the structure tree. False when that cannot be said here (a widget with no
 * appearance of its own, an unreadable stream, a graph too large): the page is then rendered.
 */
export function samePageInputs(reader: PdfReader, pageNum: number, revA: number, revB: number): boolean {
  try {
    const a = dictOf(reader.objectAtRevision(pageNum, revA));
    const b = dictOf(reader.objectAtRevision(pageNum, revB));
    if (!a || !b) return false;
    const compare = new Comparison(reader, revA, revB, STRUCTURE_LINKS);
    for (const key of [...INHERITED, ...OWN]) {
      const inherited = INHERITED.includes(key);
      if (!compare.same(attribute(reader, a, key, revA, inherited), attribute(reader, b, key, revB, inherited)))
        return false;
    }
    const ca = contentStreams(reader, a, revA);
    const cb = contentStreams(reader, b, revB);
    if (!ca || !cb) return false;
    const storedAlike =
      ca.refs.length === cb.refs.length &&
      ca.refs.every((r, i) => {
        const other = cb.refs[i];
        return r instanceof PdfRef && other instanceof PdfRef && r.num === other.num && compare.stored(r.num);
      });
    if (!storedAlike) {
      // Stream by stream (they divide only between tokens, ISO 32000-1 §7.8.2): a different split
      // compares as different and is rendered. Equal operator lists, split alike, draw the same.
      const drawing = (c: { streams: PdfStream[] }): (string | null)[] =>
        c.streams.map((s) => streamDrawing(s, () => reader.streamData(s)));
      const da = drawing(ca);
      const db = drawing(cb);
      if (da.length !== db.length || da.some((d, i) => d === null || d !== db[i])) return false;
    }
    const annotations = (page: PdfDict, rev: number): PdfObject[] => {
      const v = at(reader, page.get('Annots'), rev);
      return isArray(v) ? v : [];
    };
    const aa = annotations(a, revA);
    const ab = annotations(b, revB);
    if (aa.length !== ab.length) return false;
    return aa.every((x, i) => {
      const y = ab[i] as PdfObject;
      // A widget with no appearance is drawn from its field's value and the form's defaults, not compared here.
      const widgetWithout = (o: PdfObject, rev: number): boolean => {
        const d = dictOf(at(reader, o, rev));
        return !d || (isName(d.get('Subtype'), 'Widget') && !d.has('AP'));
      };
      return !widgetWithout(x, revA) && !widgetWithout(y, revB) && compare.same(x, y);
    });
  } catch {
    return false;
  }
}
