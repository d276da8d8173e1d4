import type { PdfReader, Revision } from '@vanthu/pdf';
import { duplicateObjects } from './signature-fields';

/**
 * A hybrid section (ISO 32000-1 §7.5.8.4) whose table and /XRefStm stream put one object at two
 * different offsets. The reader lets the table win; a tool that prefers the stream reads the
 * object differently.
 */
export function hybridConflict(revision: Revision): boolean {
  const stream = revision.hybridEntries;
  if (!stream) return false;
  for (const [num, entry] of stream) {
    if (entry.type !== 'offset') continue;
    const table = revision.entries.get(num);
    if (table?.type === 'offset' && table.offset !== entry.offset) return true;
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
