import { Type } from '@sinclair/typebox';
import type { Static } from '@sinclair/typebox';
import { AgencyCode, Sha256Hex, Timestamp, Uuid } from '../common';

export const certificateActivatedV1 = {
  type: 'vn.vanthu.certificate.activated.v1',
  topic: 'vanthu.signing',
  aggregate: 'certificate',
  description: 'An administrator activated a registered certificate; its owner may now sign with it.',
  schema: Type.Object(
    {
      certificateId: Uuid,
      agencyCode: AgencyCode,
      userId: Type.String(),
      sha256: Sha256Hex,
      activatedBy: Type.String(),
      activatedAt: Timestamp,
    },
    { additionalProperties: false, $id: 'vn.vanthu.certificate.activated.v1' },
  ),
} as const;

export type CertificateActivatedV1 = Static<typeof certificateActivatedV1.schema>;
