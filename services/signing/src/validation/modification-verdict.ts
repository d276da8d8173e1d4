import type { PdfReader } from '@vanthu/pdf';
import { pagesAt } from './pdf-graph';
import type { RevisionChange, SignatureReport } from './report';
import type { DocumentContext, SignatureState } from './signature-state';

/**
 * The changes after a signature's revision decide its indication: a DocMDP or FieldMDP
 * violation fails it (ISO 32000-1 §12.8.2.2, §12.8.2.4); any other unexplained change makes it
 * INDETERMINATE, or fails it when the policy says so (Incremental Saving, shadow, EAA, SSA).
 */
export function judgeModifications(
  state: SignatureState,
  report: SignatureReport,
  changesAfter: RevisionChange[],
  ctx: DocumentContext,
): void {
  const { outcome, field } = state;
  if (state.signedRevision < 0) return;
  const disallowed = changesAfter.filter((c) => !c.allowed);
  outcome.check(
    'modifications',
    disallowed.length === 0,
    disallowed.length
      ? `${disallowed.length} change(s) after signing are not permitted`
      : changesAfter.length
        ? `${changesAfter.length} permitted change(s) after signing`
        : 'nothing changed after signing',
  );
  const first = disallowed[0];
  if (!first) return;
  const where = `${first.detail} (revision ${first.revision + 1}, object ${first.object}, ${first.what})`;
  const certified = report.certification !== null;
  const lockedFieldChanged =
    ctx.locks.some((l) => l.field === field.fieldName) && disallowed.some((c) => c.classification === 'form-fill');
  if (certified || lockedFieldChanged)
    outcome.fail(
      'TOTAL_FAILED',
      'SIG_CONSTRAINTS_FAILURE',
      `${certified ? 'DocMDP' : 'FieldMDP'} permissions violated: ${where}`,
    );
  else
    outcome.fail(
      ctx.options.modificationPolicy === 'failed' ? 'TOTAL_FAILED' : 'INDETERMINATE',
      'SIG_CONSTRAINTS_FAILURE',
      `not permitted after signing: ${where}`,
    );
}

/**
 * The rendering comparison (issue 11): a region that renders differently and that no allowed
 * change's rectangle holds is a visible change nobody explains, whatever the classification
 * said; a comparison that could not be made leaves the signature INDETERMINATE.
 */
export function judgeRendering(state: SignatureState, report: SignatureReport, ctx: DocumentContext): void {
  const visual = report.visual;
  if (!visual) return;
  const unexplained = visual.regions.filter((r) => r.explainedBy === null);
  const pages = visual.pages.join(', ');
  const ok = unexplained.length === 0 && visual.error === null;
  const unchanged = visual.unchangedPages?.length
    ? `page(s) ${visual.unchangedPages.join(', ')} draw from the same content, resources, annotations and boxes as signed (not rendered)`
    : '';
  const rendered = !visual.pages.length
    ? ''
    : visual.regions.length
      ? `page(s) ${pages}: ${visual.regions.length} differing region(s), each inside an allowed change`
      : `page(s) ${pages} render as signed`;
  state.outcome.check(
    'renders-as-signed',
    ok,
    visual.error ??
      (unexplained.length
        ? `${unexplained.length} region(s) render differently with no allowed change explaining them`
        : [rendered, unchanged].filter(Boolean).join('; ')),
  );
  if (ok) return;
  const first = unexplained[0];
  const where = first ? `page ${first.page}, [${first.rect.join(' ')}]` : '';
  if (!first) {
    state.outcome.fail('INDETERMINATE', 'SIG_CONSTRAINTS_FAILURE', visual.error ?? 'the pages could not be compared');
    return;
  }
  const certified = report.certification !== null;
  state.outcome.fail(
    certified || ctx.options.modificationPolicy === 'failed' ? 'TOTAL_FAILED' : 'INDETERMINATE',
    'SIG_CONSTRAINTS_FAILURE',
    `a visible change after signing that no allowed change explains: ${where}`,
  );
}

/**
 * Pages added, removed or reordered after signing: what is shown is no longer the signed
 * content, whatever else the update does (ETSI EN 319 102-1 and EU DSS: TOTAL_FAILED/FORMAT_FAILURE).
 */
export function checkPagesAsSigned(reader: PdfReader, state: SignatureState): void {
  const last = reader.revisions.length - 1;
  if (state.signedRevision < 0 || state.signedRevision === last) return;
  const signed = pagesAt(reader, state.signedRevision);
  const now = pagesAt(reader, last);
  const same = signed.length === now.length && signed.every((n, i) => now[i] === n);
  if (
    state.outcome.check(
      'pages-unchanged',
      same,
      same ? `${now.length} page(s), as signed` : `${signed.length} page(s) signed, ${now.length} now`,
    )
  )
    return;
  const added = now.filter((n) => !signed.includes(n)).length;
  const removed = signed.filter((n) => !now.includes(n)).length;
  state.outcome.fail(
    'TOTAL_FAILED',
    'FORMAT_FAILURE',
    added || removed
      ? `pages were changed after signing: ${added} added, ${removed} removed`
      : 'the pages were reordered after signing',
  );
}
