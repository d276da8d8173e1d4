import { PdfRef, isArray, isDict, isRef, isStream } from './objects';
import type { PdfObject } from './objects';
import type { PdfReader, XrefEntry } from './reader';
import { serializeObject } from './serialize';

/** More objects than this behind the pages, and the question is left open (the caller does the work it would save). */
const MAX_OBJECTS = 20_000;

const sameEntry = (a: XrefEntry | undefined, b: XrefEntry | undefined): boolean =>
  a !== undefined &&
  b !== undefined &&
  a.type === b.type &&
  (a.type === 'free' ||
    (a.type === 'offset' && b.type === 'offset' && a.offset === b.offset && a.gen === b.gen) ||
    (a.type === 'compressed' && b.type === 'compressed' && a.stream === b.stream && a.index === b.index));

/**
 * Whether `after`, a file that begins with every byte of `before` (an incremental update of it, ISO 32000-1
 * §7.5.6), still draws each page exactly as `before` does: as many pages, each with the same /Contents and
 * /Resources values, and no object reachable from them redefined by the update. What a page shows, and the text a
 * reader extracts from it, depends only on those (§7.8: content streams and their resources: fonts, forms, images).
 * A signature's incremental update adds a field, its widget with an appearance of its own (§12.5.5, outside the
 * page's content) and the page's /Annots entry, so its pages answer true; an update that redraws a page answers false.
 * The caller checks the prefix; answers false when unsure (a page tree it cannot compare, too many objects).
 */
export function pagesUnchanged(before: PdfReader, after: PdfReader): boolean {
  const oldPages = before.pages();
  const newPages = after.pages();
  if (oldPages.length !== newPages.length) return false;
  const seen = new Set<number>();
  const pending: PdfObject[] = [];
  for (const [i, page] of newPages.entries()) {
    const old = oldPages[i];
    if (!old) return false;
    for (const key of ['Contents', 'Resources']) {
      const value = key === 'Resources' ? after.inherited(page.dict, key) : page.dict.get(key);
      const was = key === 'Resources' ? before.inherited(old.dict, key) : old.dict.get(key);
      if (serializeObject(value ?? null) !== serializeObject(was ?? null)) return false;
      if (value !== undefined) pending.push(value);
    }
  }
  // Every object the pages draw with, followed through references: each must be where it was before the update.
  while (pending.length > 0) {
    const value = pending.pop() as PdfObject;
    if (isRef(value)) {
      if (seen.has(value.num)) continue;
      if (seen.size >= MAX_OBJECTS) return false;
      seen.add(value.num);
      const entry = after.xrefEntry(value.num);
      if (!sameEntry(entry, before.xrefEntry(value.num))) return false;
      // An object inside an object stream is unchanged only if that stream is.
      if (entry?.type === 'compressed') pending.push(new PdfRef(entry.stream, 0));
      pending.push(after.getObject(value));
    } else if (isArray(value)) pending.push(...value);
    else if (isDict(value)) pending.push(...value.map.values());
    else if (isStream(value)) pending.push(...value.dict.map.values());
  }
  return true;
}
