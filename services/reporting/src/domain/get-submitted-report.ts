import { AppError } from '@vanthu/platform';
import { findSubmittedPdf } from '../repositories/submissions-repository';
import type { SubmissionRow } from '../repositories/submissions-repository';
import type { ReportingContext } from './get-compliance-report';
import { monthRange } from './month';
import { agencyInScope } from './scope';

export type GetSubmittedReportInput = { agencyCode: string; month: string; revision?: number };
export type SubmittedReport = { submission: SubmissionRow; pdf: Buffer; fileName: string };

/** The PDF exactly as submitted (the latest revision unless one is named); another agency's is 404 to an agency. */
export async function getSubmittedReport(
  input: GetSubmittedReportInput,
  ctx: ReportingContext,
): Promise<SubmittedReport> {
  const agencyCode = agencyInScope(ctx.identity, input.agencyCode);
  monthRange(input.month);
  const { result } = await ctx.runInTransaction((tx) =>
    findSubmittedPdf(tx, { agencyCode, month: input.month, revision: input.revision ?? null }),
  );
  if (!result)
    throw new AppError(
      'NOT_FOUND',
      `agency ${agencyCode} has no submitted report of ${input.month}${input.revision ? ` revision ${input.revision}` : ''}`,
    );
  return {
    ...result,
    fileName: `bao-cao-thang-${input.month}-${agencyCode}-lan-${result.submission.revision}.pdf`,
  };
}
