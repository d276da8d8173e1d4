import { AppError, hasRole, withTransaction } from '@vanthu/platform';
import type { Identity, Pool } from '@vanthu/platform';
import { countDocumentsByDirection } from '../repositories/document-facts-repository';
import type { ComplianceReport } from '../schemas/compliance-report';
import { monthRange } from './month';

/**
 * The monthly compliance report of one agency. An agency sees its own; the Department of
 * Science and Technology (report-collector) and administrators collect every agency's
 * (seed 000: Sở KH&CN tổng hợp báo cáo hằng tháng).
 */
export async function getComplianceReport(
  identity: Identity,
  month: string,
  agency: string | undefined,
  deps: { pool: Pool },
): Promise<ComplianceReport> {
  const agencyCode = agency ?? identity.agencyCode;
  if (agencyCode !== identity.agencyCode && !hasRole(identity, 'report-collector', 'admin')) {
    throw new AppError('FORBIDDEN', 'only report collectors may read another agency’s report');
  }
  const range = monthRange(month);
  const counts = await withTransaction(deps.pool, (tx) =>
    countDocumentsByDirection(tx, agencyCode, range.from, range.to),
  );
  return {
    agencyCode,
    month,
    period: { from: range.from, to: range.to },
    documents: { total: counts.outgoing + counts.incoming + counts.internal, ...counts },
    generatedAt: new Date().toISOString(),
  };
}
