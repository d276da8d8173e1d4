import { Type } from '@sinclair/typebox';
import type { Static } from '@sinclair/typebox';
import { AgencyCode, Sha256Hex, Timestamp, Uuid } from '../common';

export const certificateSuspendedV1 = {
  type: 'vn.vanthu.certificate.suspended.v1',
  topic: 'vanthu.signing',
  aggregate: 'certificate',
  description:
    'Signing suspended a certificate because its CA revoked it or it expired: its holder no longer has a usable certificate (certificate gating counts it as not activated).',
  schema: Type.Object(
    {
      certificateId: Uuid,
      agencyCode: AgencyCode,
      userId: Type.String(),
      sha256: Sha256Hex,
      cause: Type.Union([Type.Literal('revoked'), Type.Literal('expired')]),
      revokedAt: Type.Union([Timestamp, Type.Null()], { description: 'When the CA revoked it, if known' }),
      notAfter: Timestamp,
      suspendedAt: Timestamp,
    },
    { additionalProperties: false, $id: 'vn.vanthu.certificate.suspended.v1' },
  ),
} as const;

export type CertificateSuspendedV1 = Static<typeof certificateSuspendedV1.schema>;
