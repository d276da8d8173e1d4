// Reading one revision of a PDF as a graph of objects: what refers to what, what an object is,
// and a canonical text to compare two versions of an object.
import { createHash } from 'node:crypto';
import {
  PdfDict,
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
import { textOf } from './signature-dictionary';

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

const SAME_STREAM_KEYS = new Set(['Length', 'Filter', 'DecodeParms']);

/**
 * What an object means in revision `rev`, references followed (upward /Parent and /P links
 * kept as numbers) and streams by their decoded bytes: two versions that read the same here
 * draw the same, however they are stored. Null when the graph is too large to compare.
 */
export function deepCanonical(
  reader: PdfReader,
  obj: PdfObject,
  rev: number,
  budget = { nodes: 20_000 },
): string | null {
  const path = new Set<number>();
  const walk = (o: PdfObject, depth: number): string | null => {
    if ((budget.nodes -= 1) < 0 || depth > 48) return null;
    if (o instanceof PdfRef) {
      if (path.has(o.num)) return `@${o.num}`;
      path.add(o.num);
      const inner = walk(reader.objectAtRevision(o.num, rev), depth + 1);
      path.delete(o.num);
      return inner;
    }
    if (o instanceof PdfStream) {
      const dict = walkDict(o.dict, depth, SAME_STREAM_KEYS);
      if (dict === null) return null;
      return `${dict}stream:${createHash('sha256').update(reader.streamData(o)).digest('base64')}`;
    }
    if (o instanceof PdfDict) return walkDict(o, depth, new Set(['Length']));
    if (Array.isArray(o)) {
      const parts: string[] = [];
      for (const x of o) {
        const t = walk(x, depth + 1);
        if (t === null) return null;
        parts.push(t);
      }
      return `[${parts.join(' ')}]`;
    }
    return serializeObject(o);
  };
  const walkDict = (d: PdfDict, depth: number, leaveOut: Set<string>): string | null => {
    const parts: string[] = [];
    for (const k of [...d.map.keys()].filter((key) => !leaveOut.has(key)).sort()) {
      const v = d.map.get(k) as PdfObject;
      const t = UPWARD.has(k) && v instanceof PdfRef ? `^${v.num}` : walk(v, depth + 1);
      if (t === null) return null;
      parts.push(`/${k} ${t}`);
    }
    return `<<${parts.join(' ')}>>`;
  };
  try {
    return walk(obj, 0);
  } catch {
    return null;
  }
}

export function dictOf(obj: PdfObject): PdfDict | undefined {
  if (isDict(obj)) return obj;
  if (obj instanceof PdfStream) return obj.dict;
  return undefined;
}

/** Keys whose values differ between two dictionaries. */
export function changedKeys(reader: PdfReader, before: PdfDict, after: PdfDict): string[] {
  const keys = new Set([...before.map.keys(), ...after.map.keys()]);
  return [...keys].filter((k) => canonical(reader, before.get(k) ?? null) !== canonical(reader, after.get(k) ?? null));
}

const UPWARD = new Set(['Parent', 'P']);

/** Object numbers reachable from `start` in revision `rev` (bounded), not following `skip` keys (upward links by default). */
export function reachable(
  reader: PdfReader,
  start: PdfObject | undefined,
  rev: number,
  limit = 5_000,
  skip: ReadonlySet<string> = UPWARD,
): Set<number> {
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
      for (const [k, v] of o.map) if (!skip.has(k)) stack.push({ o: v, d: d + 1 });
    } else if (o instanceof PdfStream) stack.push({ o: o.dict, d: d + 1 });
  }
  return out;
}

/** References written directly in an object (not followed). */
export function directRefs(obj: PdfObject, out: Set<number>, depth = 0): void {
  if (depth > 64) return;
  if (obj instanceof PdfRef) out.add(obj.num);
  else if (Array.isArray(obj)) for (const x of obj) directRefs(x, out, depth + 1);
  else if (obj instanceof PdfDict) for (const v of obj.map.values()) directRefs(v, out, depth + 1);
  else if (obj instanceof PdfStream) directRefs(obj.dict, out, depth + 1);
}

/** Who refers to whom in revision `rev` (-1 stands for the trailer): built only when a rule needs it. */
export function referrersAt(reader: PdfReader, rev: number): Map<number, Set<number>> {
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

export const refNums = (arr: PdfObject | undefined): number[] =>
  isArray(arr) ? arr.filter(isRef).map((r) => r.num) : [];

export const area = (rect: PdfObject | undefined): number => {
  if (!isArray(rect) || rect.length !== 4 || !rect.every(isNumber)) return 0;
  const [x1, y1, x2, y2] = rect as number[];
  return Math.abs(((x2 as number) - (x1 as number)) * ((y2 as number) - (y1 as number)));
};

/** Full field names by object number, from the field tree of revision `rev`. */
export function fieldNames(reader: PdfReader, rev: number): Map<number, string> {
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
      const name = t instanceof PdfString ? `${prefix}${textOf(t) ?? ''}` : prefix.replace(/\.$/, '');
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

/** What an object is, for the report (page, catalog, font, content stream, …). */
export function describe(obj: PdfObject, num: number, catalogNum: number | undefined): string {
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

/** Page object numbers in order as of revision `rev` (bounded walk; a broken tree yields what was read). */
export function pagesAt(reader: PdfReader, rev: number, max = 100_000): number[] {
  const out: number[] = [];
  const seen = new Set<number>();
  const at = (o: PdfObject | undefined): PdfObject => (isRef(o) ? reader.objectAtRevision(o.num, rev) : (o ?? null));
  const walk = (node: PdfObject | undefined, depth: number): void => {
    if (!isRef(node) || seen.has(node.num) || depth > 64 || out.length >= max) return;
    seen.add(node.num);
    const dict = dictOf(at(node));
    if (!dict) return;
    const kids = at(dict.get('Kids'));
    if (isName(dict.get('Type'), 'Pages') || dict.has('Kids')) {
      if (isArray(kids)) for (const k of kids) walk(k, depth + 1);
    } else out.push(node.num);
  };
  try {
    walk(dictOf(at(reader.revisions[rev]?.trailer.get('Root')))?.get('Pages'), 0);
  } catch {
    // an unreadable page tree node ends the walk; the pages read so far are compared
  }
  return out;
}
