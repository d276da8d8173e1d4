import { createHash } from 'node:crypto';
import { AppError } from '@vanthu/platform';
import type { Identity, Tx } from '@vanthu/platform';
import type { ReportSealer } from '../adapters/report-sealer';
import type { SubmissionSeal } from '../repositories/submissions-repository';
import type { ComplianceReport } from '../schemas/compliance-report';
import { exportReport } from './export-report';
import type { ExportContext } from './export-report';
import { getComplianceReport } from './get-compliance-report';
import { monthRange } from './month';
import type { MonthRange } from './month';

export type SubmissionContext = ExportContext & {
  topicPrefix: string;
  /** Seals the PDF with the agency's organisation signature (signing); without it reports are stored unsealed. */
  sealer?: ReportSealer | undefined;
};
export type RenderedSubmission = { report: ComplianceReport; pdf: Buffer; sha256: string; seal: SubmissionSeal | null };

/** A month may be submitted once it has ended (the report of a running month would still change). */
export function endedMonth(month: string, now: Date, field = 'body.month'): MonthRange {
  const range = monthRange(month);
  if (Date.parse(range.to) > now.getTime())
    throw new AppError('VALIDATION_FAILED', `month ${month} has not ended yet`, {
      errors: [{ field, message: 'must be a month that has ended' }],
    });
  return range;
}

/**
 * The agency's report of the month and its Vietnamese PDF, read in the caller's transaction so the stored JSON and
 * PDF hold the same figures, and sealed with the agency's organisation signature: the agency reports to the Sở KH&CN
 * every month (item 1đ of Đà Nẵng's công văn of February 2026, summarised in docs/domain/directives.md) and the
 * agency certificate stands for its seal there (Điều 3 of Ngã Năm's QĐ of 2020, in the same file), so the report it
 * sends carries it.
 */
export async function renderSubmission(
  tx: Tx,
  input: { agencyCode: string; month: string; identity: Identity },
  ctx: SubmissionContext,
): Promise<RenderedSubmission> {
  const inTx: SubmissionContext = {
    ...ctx,
    identity: input.identity,
    runInTransaction: async (work) => ({ result: await work(tx), replayed: false }),
  };
  const report = await getComplianceReport({ month: input.month, agency: input.agencyCode }, inTx);
  const { bytes } = await exportReport({ month: input.month, agency: input.agencyCode, format: 'pdf' }, inTx);
  const sealed = ctx.sealer
    ? await ctx.sealer.sealMonthlyReport({ agencyCode: input.agencyCode, month: input.month, pdf: bytes })
    : undefined;
  const pdf = sealed?.pdf ?? bytes;
  return {
    report,
    pdf,
    sha256: createHash('sha256').update(pdf).digest('hex'),
    seal: sealed
      ? {
          level: sealed.seal.level,
          certificateSha256: sealed.seal.certificateSha256,
          certificateSubject: sealed.seal.certificateSubject,
          signedAt: sealed.seal.signedAt,
        }
      : null,
  };
}
