import { Type } from '@sinclair/typebox';
import type { Static } from '@sinclair/typebox';
import { AgencyCode, Timestamp, Uuid } from '../common';

export const signingSessionPreparedV1 = {
  type: 'vn.vanthu.signing-session.prepared.v1',
  topic: 'vanthu.signing',
  aggregate: 'signing-session',
  description:
    'A two-step signing session was prepared: the data to sign for each document is waiting for the user token.',
  schema: Type.Object(
    {
      sessionId: Uuid,
      agencyCode: AgencyCode,
      userId: Type.String(),
      kind: Type.String(),
      documents: Type.Array(
        Type.Object({ documentId: Uuid, version: Type.Integer({ minimum: 1 }) }, { additionalProperties: false }),
      ),
      expiresAt: Timestamp,
    },
    { additionalProperties: false, $id: 'vn.vanthu.signing-session.prepared.v1' },
  ),
} as const;

export type SigningSessionPreparedV1 = Static<typeof signingSessionPreparedV1.schema>;
