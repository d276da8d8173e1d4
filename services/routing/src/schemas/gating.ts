import { Type } from '@sinclair/typebox';
import type { Static } from '@sinclair/typebox';

const IsoDate = Type.String({ pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2}$', description: 'yyyy-MM-dd, Vietnam date' });
const UserId = Type.String({ minLength: 1, maxLength: 200 });

export const GatingSetting = Type.Object(
  {
    agencyCode: Type.String(),
    gatingDate: Type.String({
      description: 'From this date (00:00 +07:00) no electronic task goes to a person without an activated certificate',
    }),
    source: Type.Union([Type.Literal('default'), Type.Literal('agency')]),
    updatedBy: Type.Optional(Type.String()),
    updatedAt: Type.Optional(Type.String({ format: 'date-time' })),
  },
  { additionalProperties: false },
);
export type GatingSetting = Static<typeof GatingSetting>;

export const GatingSettingUpdate = Type.Object({ gatingDate: IsoDate }, { additionalProperties: false });

export const PersonParams = Type.Object({ userId: UserId });
export const AssignabilityQuery = Type.Object({
  at: Type.Optional(Type.String({ format: 'date-time', description: 'Default: now' })),
});

export const ProjectedCertificate = Type.Object(
  {
    certificateId: Type.String({ format: 'uuid' }),
    state: Type.Union([
      Type.Literal('registered'),
      Type.Literal('active'),
      Type.Literal('unregistered'),
      Type.Literal('suspended'),
    ]),
    notAfter: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
    updatedAt: Type.String({ format: 'date-time' }),
  },
  { additionalProperties: false },
);

export const PersonAssignability = Type.Object(
  {
    userId: Type.String(),
    at: Type.String({ format: 'date-time' }),
    gatingDate: Type.String(),
    assignable: Type.Boolean(),
    because: Type.Optional(
      Type.Union([Type.Literal('before-gating-date'), Type.Literal('active-certificate'), Type.Literal('exception')]),
    ),
    exceptionId: Type.Optional(Type.String({ format: 'uuid' })),
    certificates: Type.Array(ProjectedCertificate, { description: 'What routing has learnt from signing’s events' }),
  },
  { additionalProperties: false },
);
export type PersonAssignability = Static<typeof PersonAssignability>;

export const NewCertificateException = Type.Object(
  {
    userId: UserId,
    referenceDocument: Type.String({
      minLength: 3,
      maxLength: 100,
      pattern: '^[0-9]+/\\S+$',
      description: 'Số, ký hiệu of the head of the agency’s written permission, e.g. 15/QĐ-UBND',
    }),
    referenceDocumentId: Type.Optional(Type.String({ format: 'uuid', description: 'The permission in documents' })),
    reason: Type.String({ minLength: 3, maxLength: 1000 }),
    validFrom: Type.Optional(Type.String({ format: 'date-time', description: 'Default: now' })),
    validUntil: Type.Optional(Type.String({ format: 'date-time', description: 'Default: until revoked' })),
  },
  { additionalProperties: false },
);
export type NewCertificateException = Static<typeof NewCertificateException>;

export const CertificateException = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    agencyCode: Type.String(),
    userId: Type.String(),
    referenceDocument: Type.String(),
    referenceDocumentId: Type.Union([Type.String({ format: 'uuid' }), Type.Null()]),
    reason: Type.String(),
    validFrom: Type.String({ format: 'date-time' }),
    validUntil: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
    grantedBy: Type.String(),
    grantedAt: Type.String({ format: 'date-time' }),
    revokedBy: Type.Union([Type.String(), Type.Null()]),
    revokedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  },
  { additionalProperties: false },
);
export type CertificateException = Static<typeof CertificateException>;

export const CertificateExceptionList = Type.Object({ items: Type.Array(CertificateException) });
export const CertificateExceptionQuery = Type.Object({ userId: Type.Optional(UserId) });
export const ExceptionIdParams = Type.Object({ id: Type.String({ format: 'uuid' }) });
