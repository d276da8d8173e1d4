import { Type } from '@sinclair/typebox';
import type { Static } from '@sinclair/typebox';
import { AgencyCode, Sha256Hex, Timestamp, Uuid } from '../common';

export const certificateUnregisteredV1 = {
  type: 'vn.vanthu.certificate.unregistered.v1',
  topic: 'vanthu.signing',
  aggregate: 'certificate',
  description:
    'The holder or an administrator released a certificate: its holder can no longer sign with it, and it may be registered again (by the same or another person).',
  schema: Type.Object(
    {
      certificateId: Uuid,
      agencyCode: AgencyCode,
      userId: Type.String({ description: 'The holder who no longer holds it' }),
      sha256: Sha256Hex,
      unregisteredBy: Type.String(),
      reason: Type.Union([Type.String({ maxLength: 500 }), Type.Null()]),
      unregisteredAt: Timestamp,
    },
    { additionalProperties: false, $id: 'vn.vanthu.certificate.unregistered.v1' },
  ),
} as const;

export type CertificateUnregisteredV1 = Static<typeof certificateUnregisteredV1.schema>;
