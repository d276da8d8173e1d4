import { Type } from '@sinclair/typebox';
import type { Static } from '@sinclair/typebox';
import { AgencyCode, Sha256Hex, Timestamp, Uuid } from '../common';

const MainIndication = Type.Union(['TOTAL_PASSED', 'TOTAL_FAILED', 'INDETERMINATE'].map((k) => Type.Literal(k)));

// NĐ 30/2020 Điều 21.2: the clerk checks authenticity and integrity of every incoming document;
// this carries the verdict, not the report (the report stays in the signing service).
export const documentValidatedV1 = {
  type: 'vn.vanthu.document.validated.v1',
  topic: 'vanthu.signing',
  aggregate: 'document',
  description:
    'The signatures of a stored document version were validated (ETSI EN 319 102-1 indications); the full report is at GET /v1/documents/{id}/validation.',
  schema: Type.Object(
    {
      documentId: Uuid,
      agencyCode: AgencyCode,
      version: Type.Integer({ minimum: 1 }),
      sha256: Sha256Hex,
      verdict: MainIndication,
      verdictReason: Type.String({ maxLength: 1000 }),
      signatures: Type.Array(
        Type.Object(
          {
            fieldName: Type.String(),
            kind: Type.Union([Type.Literal('signature'), Type.Literal('document-timestamp')]),
            indication: MainIndication,
            subIndication: Type.Union([Type.String(), Type.Null()]),
            signerName: Type.Union([Type.String(), Type.Null()]),
          },
          { additionalProperties: false },
        ),
        { maxItems: 200 },
      ),
      reportId: Uuid,
      validatedAt: Timestamp,
    },
    { additionalProperties: false, $id: 'vn.vanthu.document.validated.v1' },
  ),
} as const;

export type DocumentValidatedV1 = Static<typeof documentValidatedV1.schema>;
