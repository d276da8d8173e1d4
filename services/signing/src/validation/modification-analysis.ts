import type { PdfReader } from '@vanthu/pdf';
import { CHANGE_RULES, UNEXPLAINED } from './change-rules';
import type { Verdict } from './change-rules';
import { revisionScope } from './modification-scope';
import type { Certification, FieldLock, RevisionScope, Versions } from './modification-scope';
import { describe } from './pdf-graph';
import type { RevisionChange } from './report';

export type { Certification, FieldLock } from './modification-scope';

/**
 * Compares every revision with the one before it, object by object, and classifies each change
 * as allowed (new signatures and their fields and appearances, the DSS, document time-stamps,
 * form filling DocMDP and FieldMDP permit) or not. Strict: whatever no rule recognises is not
 * allowed (Incremental Saving and shadow attacks).
 */
export function analyseModifications(
  reader: PdfReader,
  certification: Certification | null,
  locks: FieldLock[],
): RevisionChange[] {
  const changes: RevisionChange[] = [];
  for (let r = 1; r < reader.revisions.length; r += 1)
    changes.push(...revisionChanges(revisionScope(reader, r, certification, locks)));
  return changes;
}

function revisionChanges(scope: RevisionScope): RevisionChange[] {
  const out: RevisionChange[] = [];
  for (const num of scope.changed) {
    const versions = scope.values.get(num) as Versions;
    const found = classify(scope, num, versions);
    if (found === 'skip') continue;
    out.push({ revision: scope.r, object: num, what: describe(versions.a, num, scope.catalogNum), ...found });
  }
  return out;
}

function classify(scope: RevisionScope, num: number, versions: Versions): Verdict | 'skip' {
  for (const rule of CHANGE_RULES) {
    const found = rule(scope, num, versions);
    if (found !== undefined) return found;
  }
  return UNEXPLAINED(versions.b);
}
