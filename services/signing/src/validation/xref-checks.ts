import type { PdfReader } from '@vanthu/pdf';
import { duplicateObjects } from './signature-fields';

/**
 * A hybrid section (ISO 32000-1 §7.5.8.4) whose table and /XRefStm stream put one object in two
 * different places. §7.5.8.4 has readers search the table first, so the table wins, and a
 * pre-1.5 reader that ignores the stream reads the table too. A stream entry that still names
 * the object's place of the previous revision is stale, not ambiguous: PDFBox's incremental
 * saver copies /XRefStm from the previous trailer. What stays ambiguous is a stream naming a
 * third body that no earlier revision had: a stream-first tool would show content nobody signed.
 */
export function hybridConflict(reader: PdfReader, revisionIndex: number): boolean {
  const revision = reader.revisions[revisionIndex];
  const stream = revision?.hybridEntries;
  if (!stream) return false;
  for (const [num, entry] of stream) {
    if (entry.type !== 'offset') continue;
    const table = revision.entries.get(num);
    if (table?.type !== 'offset' || table.offset === entry.offset) continue;
    const previous = revisionIndex > 0 ? reader.entryAtRevision(num, revisionIndex - 1) : undefined;
    if (previous?.type === 'offset' && previous.offset === entry.offset) continue;
    return true;
  }
  return false;
}

/** Object numbers defined twice in the bodies of revisions 0..`upTo`, each revision scanned once per validation. */
export class DuplicateScan {
  private readonly byRevision = new Map<number, number[]>();
  constructor(private readonly reader: PdfReader) {}
  upTo(revision: number): number[] {
    const out: number[] = [];
    for (let r = 0; r <= revision; r += 1) {
      let found = this.byRevision.get(r);
      if (!found) this.byRevision.set(r, (found = duplicateObjects(this.reader, r)));
      out.push(...found);
    }
    return out;
  }
}
