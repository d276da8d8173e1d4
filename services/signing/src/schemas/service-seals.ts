import { Type } from '@sinclair/typebox';
import type { Static } from '@sinclair/typebox';

const Month = Type.String({ pattern: '^\\d{4}-(0[1-9]|1[0-2])$', description: 'YYYY-MM in Asia/Ho_Chi_Minh' });

const MonthlyReportSealRequest = Type.Object(
  {
    kind: Type.Literal('monthly-report', {
      description:
        "monthly-report: the reporting service's monthly report of the agency its identity names (only for service:reporting)",
    }),
    month: Month,
    pdf: Type.String({
      contentEncoding: 'base64',
      maxLength: 32 * 1024 * 1024,
      description:
        'The unsigned PDF, base64; its Keywords say what it is (vanthu-monthly-report agency=<code> month=<YYYY-MM>)',
    }),
  },
  { additionalProperties: false },
);

const ConsultationSummarySealRequest = Type.Object(
  {
    kind: Type.Literal('consultation-summary', {
      description:
        "consultation-summary: the routing service's summary of a consultation's answers (tổng hợp ý kiến), which routing stored in documents for the agency its identity names (only for service:routing)",
    }),
    consultationId: Type.String({ format: 'uuid' }),
    documentId: Type.String({
      format: 'uuid',
      description:
        "The summary's document: routing made it and the version, it is the agency's, and its Keywords say vanthu-consultation-summary agency=<code> consultation=<consultationId>",
    }),
    version: Type.Integer({ minimum: 1, description: 'The version to seal; it must be the current one (else 409)' }),
  },
  { additionalProperties: false },
);

export const ServiceSealRequest = Type.Union([MonthlyReportSealRequest, ConsultationSummarySealRequest]);
export type ServiceSealRequest = Static<typeof ServiceSealRequest>;

export const ServiceSeal = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    agencyCode: Type.String(),
    kind: Type.Union([Type.Literal('monthly-report'), Type.Literal('consultation-summary')]),
    month: Type.Optional(Month),
    consultationId: Type.Optional(Type.String({ format: 'uuid' })),
    documentId: Type.Optional(
      Type.String({ format: 'uuid', description: 'consultation-summary: the sealed document' }),
    ),
    version: Type.Optional(Type.Integer({ description: 'consultation-summary: the version that was sealed' })),
    level: Type.Literal('B-LT'),
    pdf: Type.String({ contentEncoding: 'base64', description: 'The sealed PDF (the file given plus the signature)' }),
    sha256: Type.String({ description: 'SHA-256 of the sealed PDF' }),
    certificateSha256: Type.String(),
    certificateSubject: Type.String(),
    signedAt: Type.String({ format: 'date-time' }),
  },
  { $id: 'ServiceSeal' },
);
