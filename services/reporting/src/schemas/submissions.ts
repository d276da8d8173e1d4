import { Type } from '@sinclair/typebox';
import type { Static } from '@sinclair/typebox';
import { AgencyCode, Sha256Hex } from '@vanthu/contracts';
import { ComplianceReport } from './compliance-report';

const Month = Type.String({ pattern: '^\\d{4}-(0[1-9]|1[0-2])$', description: 'YYYY-MM in Asia/Ho_Chi_Minh' });

export const NewSubmission = Type.Object(
  { month: Type.String({ ...Month, description: 'A month that has ended, YYYY-MM in Asia/Ho_Chi_Minh' }) },
  { additionalProperties: false },
);
export type NewSubmission = Static<typeof NewSubmission>;

const submissionProperties = {
  agencyCode: AgencyCode,
  month: Type.String(),
  revision: Type.Integer({ minimum: 1, description: 'lần gửi: 1 for the first, higher for each re-submission' }),
  trigger: Type.Union([Type.Literal('scheduled'), Type.Literal('agency')], {
    description: 'scheduled: the month-start job; agency: sent by the agency itself',
  }),
  submittedBy: Type.Union([Type.String(), Type.Null()]),
  submittedAt: Type.String({ format: 'date-time' }),
  definitionsVersion: Type.String(),
  sha256: Type.String({ ...Sha256Hex, description: 'SHA-256 of the stored PDF' }),
  sizeBytes: Type.Integer({ minimum: 1 }),
  seal: Type.Union(
    [
      Type.Object({
        level: Type.String({ description: 'PAdES level (B-LT)' }),
        certificateSha256: Type.String(),
        certificateSubject: Type.String({ description: "The agency's organisation certificate" }),
        signedAt: Type.String({ format: 'date-time' }),
      }),
      Type.Null(),
    ],
    {
      description:
        "The agency's organisation signature on the stored PDF, applied by the signing service; null when the deployment has no SIGNING_URL (stored unsealed)",
    },
  ),
};

export const Submission = Type.Object(
  { ...submissionProperties, report: Type.Object(ComplianceReport.properties) },
  { $id: 'ReportSubmission', description: 'The submitted report, its figures exactly as sent' },
);

export const SubmissionsQuery = Type.Object({ month: Month }, { additionalProperties: false });
export type SubmissionsQuery = Static<typeof SubmissionsQuery>;

export const SubmissionsOverview = Type.Object(
  {
    month: Type.String(),
    dueOn: Type.String({ format: 'date', description: 'First working day of the next month, when the report is due' }),
    run: Type.Union([
      Type.Object({
        startedAt: Type.String({ format: 'date-time' }),
        completedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
      }),
      Type.Null(),
    ]),
    submitted: Type.Integer({ minimum: 0 }),
    notSubmitted: Type.Integer({ minimum: 0 }),
    agencies: Type.Array(
      Type.Object({
        agencyCode: AgencyCode,
        submitted: Type.Boolean(),
        revisions: Type.Integer({ minimum: 0 }),
        latest: Type.Union([
          Type.Object({ ...submissionProperties, pdf: Type.String({ description: 'Path of the stored PDF' }) }),
          Type.Null(),
        ]),
      }),
    ),
  },
  { $id: 'ReportSubmissions' },
);

export const SubmittedPdfParams = Type.Object(
  { agencyCode: AgencyCode, month: Month },
  { additionalProperties: false },
);
export type SubmittedPdfParams = Static<typeof SubmittedPdfParams>;
export const SubmittedPdfQuery = Type.Object(
  { revision: Type.Optional(Type.Integer({ minimum: 1 })) },
  { additionalProperties: false },
);
export type SubmittedPdfQuery = Static<typeof SubmittedPdfQuery>;
