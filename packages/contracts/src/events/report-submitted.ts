import { Type } from '@sinclair/typebox';
import type { Static } from '@sinclair/typebox';
import { AgencyCode, Sha256Hex, Timestamp } from '../common';

// Báo cáo hằng tháng: each agency reports its compliance every month to the Department of Science and Technology
// (Sở KH&CN; docs/domain/directives.md, Đà Nẵng §1đ). Reporting's month-start job sends every report not yet sent
// on the first working day of the next month (docs/domain/reporting.md).

export const reportSubmittedV1 = {
  type: 'vn.vanthu.report.submitted.v1',
  topic: 'vanthu.reporting',
  aggregate: 'report-submission',
  description:
    'An agency’s monthly compliance report was submitted to the report collector: by the month-start job or re-submitted by the agency, stored as a PDF (its SHA-256 here, the bytes from GET /v1/reports/submissions/{agencyCode}/{month}/pdf).',
  schema: Type.Object(
    {
      agencyCode: AgencyCode,
      month: Type.String({ pattern: '^\\d{4}-(0[1-9]|1[0-2])$' }),
      revision: Type.Integer({ minimum: 1 }),
      trigger: Type.Union([Type.Literal('scheduled'), Type.Literal('agency')]),
      submittedBy: Type.Union([Type.String(), Type.Null()], { description: 'null when the month-start job submitted' }),
      submittedAt: Timestamp,
      definitionsVersion: Type.String(),
      sha256: Sha256Hex,
      sizeBytes: Type.Integer({ minimum: 1 }),
    },
    { additionalProperties: false, $id: 'vn.vanthu.report.submitted.v1' },
  ),
} as const;
export type ReportSubmittedV1 = Static<typeof reportSubmittedV1.schema>;
