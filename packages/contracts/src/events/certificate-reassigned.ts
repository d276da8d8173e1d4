import { Type } from '@sinclair/typebox';
import type { Static } from '@sinclair/typebox';
import { AgencyCode, Sha256Hex, Timestamp, Uuid } from '../common';

export const certificateReassignedV1 = {
  type: 'vn.vanthu.certificate.reassigned.v1',
  topic: 'vanthu.signing',
  aggregate: 'certificate',
  description:
    'An administrator moved a certificate to another holder, with a recorded reason (a recreated account, a post handed over). The certificate keeps its status.',
  schema: Type.Object(
    {
      certificateId: Uuid,
      agencyCode: AgencyCode,
      sha256: Sha256Hex,
      fromUserId: Type.String(),
      toUserId: Type.String(),
      status: Type.Union([Type.Literal('registered'), Type.Literal('active')]),
      reason: Type.String({ minLength: 1, maxLength: 500 }),
      reassignedBy: Type.String(),
      reassignedAt: Timestamp,
    },
    { additionalProperties: false, $id: 'vn.vanthu.certificate.reassigned.v1' },
  ),
} as const;

export type CertificateReassignedV1 = Static<typeof certificateReassignedV1.schema>;
