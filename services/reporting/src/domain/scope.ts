import { AppError, hasRole } from '@vanthu/platform';
import type { Clock, Identity } from '@vanthu/platform';
import { monthRange } from './month';
import type { MonthRange } from './month';

/**
 * The Department of Science and Technology collects every agency's report (Sở KH&CN tổng hợp). Only its
 * `report-collector` sees the province: an `admin` administers its own agency, and another agency's figures, findings
 * (the documents behind them) and submitted PDFs are none of its business.
 */
export const seesProvince = (identity: Identity): boolean => hasRole(identity, 'report-collector');

/**
 * The agency a caller may read. Another agency's data does not exist for an agency caller: 404,
 * so the answer does not reveal which agency codes have data.
 */
export function agencyInScope(identity: Identity, agency: string | undefined): string {
  const agencyCode = agency ?? identity.agencyCode;
  if (agencyCode !== identity.agencyCode && !seesProvince(identity)) {
    throw new AppError('NOT_FOUND', `no report of agency ${agencyCode}`);
  }
  return agencyCode;
}

/** A month that has begun (a report of a future month would be all zeros and mislead). */
export function reportableMonth(month: string, clock: Clock): MonthRange {
  const range = monthRange(month);
  if (Date.parse(range.from) > clock().getTime()) {
    throw new AppError('VALIDATION_FAILED', 'month is in the future', {
      errors: [{ field: 'querystring.month', message: 'must not be in the future' }],
    });
  }
  return range;
}
