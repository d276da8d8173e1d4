import { Type } from '@sinclair/typebox';
import type { Static } from '@sinclair/typebox';

const Month = Type.String({ pattern: '^\\d{4}-(0[1-9]|1[0-2])$', description: 'YYYY-MM in Asia/Ho_Chi_Minh' });

export const ServiceSealRequest = Type.Object(
  {
    kind: Type.Literal('monthly-report', {
      description:
        "monthly-report: the reporting service's monthly report of the agency its identity names (the only kind, and only for service:reporting)",
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
export type ServiceSealRequest = Static<typeof ServiceSealRequest>;

export const ServiceSeal = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    agencyCode: Type.String(),
    kind: Type.Literal('monthly-report'),
    month: Month,
    level: Type.Literal('B-LT'),
    pdf: Type.String({ contentEncoding: 'base64', description: 'The sealed PDF (the file given plus the signature)' }),
    sha256: Type.String({ description: 'SHA-256 of the sealed PDF' }),
    certificateSha256: Type.String(),
    certificateSubject: Type.String(),
    signedAt: Type.String({ format: 'date-time' }),
  },
  { $id: 'ServiceSeal' },
);
