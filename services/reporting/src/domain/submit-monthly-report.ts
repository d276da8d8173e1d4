import { reportSubmittedV1 } from '@vanthu/contracts';
import type { ReportSubmittedV1 } from '@vanthu/contracts';
import { enqueueEvent, requireRole } from '@vanthu/platform';
import type { Mutation, Tx } from '@vanthu/platform';
import { insertSubmission } from '../repositories/submissions-repository';
import type { SubmissionRow, SubmissionTrigger } from '../repositories/submissions-repository';
import type { ComplianceReport } from '../schemas/compliance-report';
import { endedMonth, renderSubmission } from './render-submission';
import type { SubmissionContext } from './render-submission';

export type SubmitMonthlyReportInput = { month: string };
export type Submission = SubmissionRow & { report: ComplianceReport };

/**
 * Stores the agency's report of the month as the next revision and announces it (report.submitted). Used by the
 * agency's POST and by the month-start job; null when the job finds the month already submitted.
 */
export async function storeSubmission(
  tx: Tx,
  input: { agencyCode: string; month: string; trigger: SubmissionTrigger; submittedBy: string | null },
  ctx: SubmissionContext,
): Promise<Submission | null> {
  const rendered = await renderSubmission(
    tx,
    {
      agencyCode: input.agencyCode,
      month: input.month,
      identity: input.submittedBy
        ? ctx.identity
        : { userId: 'service:reporting', agencyCode: input.agencyCode, roles: ['service'] },
    },
    ctx,
  );
  const stored = await insertSubmission(tx, {
    ...input,
    submittedAt: ctx.clock().toISOString(),
    definitionsVersion: rendered.report.definitionsVersion,
    report: rendered.report,
    pdf: rendered.pdf,
    sha256: rendered.sha256,
    seal: rendered.seal,
  });
  if (!stored) return null;
  await enqueueEvent(
    tx,
    reportSubmittedV1,
    `${stored.agencyCode}/${stored.month}`,
    {
      agencyCode: stored.agencyCode,
      month: stored.month,
      revision: stored.revision,
      trigger: stored.trigger,
      submittedBy: stored.submittedBy,
      submittedAt: stored.submittedAt,
      definitionsVersion: stored.definitionsVersion,
      sha256: stored.sha256,
      sizeBytes: stored.sizeBytes,
    } satisfies ReportSubmittedV1,
    { source: '/vanthu/reporting', requestId: ctx.requestId, agencyCode: stored.agencyCode },
    ctx.topicPrefix,
  );
  return { ...stored, report: rendered.report };
}

/**
 * The agency sends (or sends again, after correcting its data) its monthly report to the Department of Science and
 * Technology (báo cáo hằng tháng gửi Sở KH&CN, docs/domain/directives.md, monthly reporting): the report of a month that
 * has ended, stored with its PDF as the next revision. A repeat with the same Idempotency-Key returns the stored one.
 */
export async function submitMonthlyReport(
  input: SubmitMonthlyReportInput,
  ctx: SubmissionContext,
): Promise<Mutation<Submission>> {
  requireRole(ctx.identity, 'clerk', 'agency-leader');
  endedMonth(input.month, ctx.clock());
  return ctx.runInTransaction(
    async (tx) =>
      (await storeSubmission(
        tx,
        {
          agencyCode: ctx.identity.agencyCode,
          month: input.month,
          trigger: 'agency',
          submittedBy: ctx.identity.userId,
        },
        ctx,
      )) as Submission,
  );
}
