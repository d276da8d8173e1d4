import { createHash } from 'node:crypto';
import type { AgencyComplianceRow } from '../schemas/compliance-report';

/**
 * The SHA-256 of what an agency's monthly report states: agency, month, definitions version, the document counts,
 * every figure's numerator and denominator (by name) and the certificate counts, as canonical JSON (fixed key order,
 * figures sorted by name). The report's PDF carries it in its Keywords (`figures-sha256=`), so the organisation seal
 * signing puts on the PDF covers these exact figures: whoever holds the sealed file and the submission's JSON (or
 * recomputes the month from the events) can check that they are the figures the agency sealed, without signing having
 * to know how they are counted (docs/domain/reporting.md, "What the seal on a monthly report vouches for").
 */
export function figuresDigest(row: AgencyComplianceRow): string {
  const canonical = {
    agencyCode: row.agencyCode,
    month: row.month,
    definitionsVersion: row.definitionsVersion,
    documents: Object.fromEntries(Object.entries(row.documents).sort(([a], [b]) => a.localeCompare(b))),
    figures: Object.entries(row.figures)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([name, figure]) => [name, figure.numerator, figure.denominator]),
    certificates: Object.fromEntries(Object.entries(row.certificates).sort(([a], [b]) => a.localeCompare(b))),
  };
  return createHash('sha256').update(JSON.stringify(canonical)).digest('hex');
}
