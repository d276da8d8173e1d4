import zlib from 'node:zlib';
import type { IncrementalUpdate } from './incremental-writer';
import { PdfDict, PdfFormatError, PdfName, PdfStream, isArray, isDict, isRef, isStream } from './objects';
import type { PdfObject, PdfRef } from './objects';
import type { PdfReader } from './reader';

const MAX_COPIED = 10_000;

/**
 * Copies an object graph from another PDF into an update, giving every indirect object a new
 * number. Streams keep their encoded bytes and filters. Used to bring appearance content drawn
 * by pdf-lib in a scratch document into the signed file without re-saving either.
 */
export function copyObject(
  source: PdfReader,
  obj: PdfObject,
  update: IncrementalUpdate,
  map: Map<string, PdfRef> = new Map(),
  skipKeys: string[] = ['Parent'],
): PdfObject {
  const visit = (o: PdfObject, depth: number): PdfObject => {
    if (depth > 64) throw new PdfFormatError('copied object nests too deeply');
    if (isRef(o)) {
      const existing = map.get(o.key);
      if (existing) return existing;
      if (map.size > MAX_COPIED) throw new PdfFormatError('too many objects to copy');
      const target = update.allocate();
      map.set(o.key, target);
      update.set(target, visit(source.getObject(o), depth + 1));
      return target;
    }
    if (isArray(o)) return o.map((x) => visit(x, depth + 1));
    if (isStream(o)) {
      const dict = visit(o.dict, depth + 1) as PdfDict;
      return new PdfStream(dict, 0, 0, source.rawStreamData(o));
    }
    if (isDict(o)) {
      const out = new PdfDict();
      for (const [k, v] of o.map) if (!skipKeys.includes(k)) out.set(k, visit(v, depth + 1));
      return out;
    }
    return o;
  };
  return visit(obj, 0);
}

/** Turns page 1 of another PDF into a form XObject in `update` (its content streams joined). */
export function pageAsFormXObject(
  source: PdfReader,
  update: IncrementalUpdate,
  pageIndex = 0,
): { ref: PdfRef; width: number; height: number } {
  const page = source.pages()[pageIndex];
  if (!page) throw new PdfFormatError('the appearance document has no page');
  const box = source.inherited(page.dict, 'MediaBox');
  if (!isArray(box) || box.length !== 4) throw new PdfFormatError('the appearance page has no MediaBox');
  const [x0, y0, x1, y1] = box.map(Number) as [number, number, number, number];
  const contents = source.resolve(page.dict.get('Contents'));
  const parts = isArray(contents) ? contents : contents === null ? [] : [page.dict.get('Contents') as PdfObject];
  const decoded = parts.map((p) => {
    const s = source.resolve(p);
    if (!isStream(s)) throw new PdfFormatError('appearance content is not a stream');
    return source.streamData(s);
  });
  const content = Buffer.concat(decoded.flatMap((d) => [d, Buffer.from('\n')]));
  const resources = source.inherited(page.dict, 'Resources');
  const dict = new PdfDict()
    .set('Type', PdfName.of('XObject'))
    .set('Subtype', PdfName.of('Form'))
    .set('BBox', [0, 0, x1 - x0, y1 - y0])
    .set('Matrix', [1, 0, 0, 1, -x0, -y0])
    .set('Resources', resources === undefined ? new PdfDict() : copyObject(source, resources, update))
    .set('Filter', PdfName.of('FlateDecode'));
  const ref = update.add(new PdfStream(dict, 0, 0, zlib.deflateSync(content)));
  return { ref, width: x1 - x0, height: y1 - y0 };
}
