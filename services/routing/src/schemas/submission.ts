import { Type } from '@sinclair/typebox';
import type { Static } from '@sinclair/typebox';

const Uuid = Type.String({ format: 'uuid' });
const Timestamp = Type.String({ format: 'date-time' });

const ComponentName = Type.String({
  pattern: '^[a-z][a-z0-9-]{0,39}$',
  description: 'to-trinh (tờ trình), attachment, report, opinions (tổng hợp ý kiến), … as the agency names them',
});

/** One document of a dossier sent up besides the draft itself (docs/domain/directives.md, Đà Nẵng §1d). */
export const SubmissionComponent = Type.Object(
  { component: ComponentName, documentId: Uuid },
  { additionalProperties: false },
);
export type SubmissionComponent = Static<typeof SubmissionComponent>;

export const SubmissionComponents = Type.Array(SubmissionComponent, { maxItems: 50 });

export const SubmissionPolicy = Type.Object(
  {
    agencyCode: Type.String(),
    senderMustBeUnitLeader: Type.Boolean({
      description:
        'A dossier sent from a specialist’s account is returned automatically (Lục Nam, công văn 607/UBND-VP §1)',
    }),
    requiredComponents: Type.Record(Type.String(), Type.Array(ComponentName), {
      description: 'By the draft’s document type code (QĐ, CV, …); "*" for every other type',
    }),
    signedComponents: Type.Array(ComponentName, { description: 'Components that must carry a valid signature' }),
    source: Type.Union([Type.Literal('default'), Type.Literal('agency')]),
    updatedBy: Type.Optional(Type.String()),
    updatedAt: Type.Optional(Timestamp),
  },
  { $id: 'SubmissionPolicy' },
);
export type SubmissionPolicy = Static<typeof SubmissionPolicy>;

export const SubmissionPolicyUpdate = Type.Object(
  {
    senderMustBeUnitLeader: Type.Boolean(),
    requiredComponents: Type.Record(
      Type.String({ pattern: '^(\\*|[A-Za-zĐđ]{1,10})$' }),
      Type.Array(ComponentName, { maxItems: 20 }),
      {
        maxProperties: 60,
      },
    ),
    signedComponents: Type.Array(ComponentName, { maxItems: 20 }),
  },
  { additionalProperties: false },
);
export type SubmissionPolicyUpdate = Static<typeof SubmissionPolicyUpdate>;
