import { createHash } from 'node:crypto';
import { AppError } from '@vanthu/platform';
import type { Identity, Tx } from '@vanthu/platform';
import type { ComplianceReport } from '../schemas/compliance-report';
import { exportReport } from './export-report';
import type { ExportContext } from './export-report';
import { getComplianceReport } from './get-compliance-report';
import { monthRange } from './month';
import type { MonthRange } from './month';

export type SubmissionContext = ExportContext & { topicPrefix: string };
export type RenderedSubmission = { report: ComplianceReport; pdf: Buffer; sha256: string };

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
 * PDF hold the same figures.
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
  return { report, pdf: bytes, sha256: createHash('sha256').update(bytes).digest('hex') };
}
