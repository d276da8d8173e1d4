import { Type } from '@sinclair/typebox';
import type { Static } from '@sinclair/typebox';
import { AgencyCode, Sha256Hex, Timestamp, Uuid } from '../common';

export const certificateRegisteredV1 = {
  type: 'vn.vanthu.certificate.registered.v1',
  topic: 'vanthu.signing',
  aggregate: 'certificate',
  description:
    'A user registered their signing certificate (chứng thư số); it is inactive until an administrator activates it.',
  schema: Type.Object(
    {
      certificateId: Uuid,
      agencyCode: AgencyCode,
      userId: Type.String(),
      sha256: Sha256Hex,
      subject: Type.String(),
      notAfter: Timestamp,
      registeredAt: Timestamp,
    },
    { additionalProperties: false, $id: 'vn.vanthu.certificate.registered.v1' },
  ),
} as const;

export type CertificateRegisteredV1 = Static<typeof certificateRegisteredV1.schema>;
