import { Type } from '@sinclair/typebox';
import type { Static } from '@sinclair/typebox';
import { AgencyCode, Timestamp, Uuid } from '../common';

export const signingSessionCompletedV1 = {
  type: 'vn.vanthu.signing-session.completed.v1',
  topic: 'vanthu.signing',
  aggregate: 'signing-session',
  description: 'A two-step signing session ended: each document was signed or failed with a reason.',
  schema: Type.Object(
    {
      sessionId: Uuid,
      agencyCode: AgencyCode,
      userId: Type.String(),
      results: Type.Array(
        Type.Object(
          {
            documentId: Uuid,
            outcome: Type.Union([Type.Literal('signed'), Type.Literal('failed')]),
            version: Type.Union([Type.Integer(), Type.Null()]),
            reason: Type.Union([Type.String(), Type.Null()]),
          },
          { additionalProperties: false },
        ),
      ),
      completedAt: Timestamp,
    },
    { additionalProperties: false, $id: 'vn.vanthu.signing-session.completed.v1' },
  ),
} as const;

export type SigningSessionCompletedV1 = Static<typeof signingSessionCompletedV1.schema>;
