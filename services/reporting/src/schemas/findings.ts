import { Type } from '@sinclair/typebox';
import type { Static } from '@sinclair/typebox';
import { AgencyCode } from '@vanthu/contracts';

export const FindingKind = Type.Union(
  [
    Type.Literal('without-personal-signature'),
    Type.Literal('without-organisation-signature'),
    Type.Literal('digitised-only'),
    Type.Literal('incoming-overdue'),
    Type.Literal('outgoing-overdue'),
  ],
  {
    description:
      'Issued without the signature of the person with authority, without the organisation signature, only digitised from paper, or a task (incoming: the handling of the lead or of a cooperating unit; outgoing: any step) due in the month and still open past its deadline',
  },
);

export const FindingsQuery = Type.Object(
  {
    month: Type.String({ pattern: '^\\d{4}-(0[1-9]|1[0-2])$', description: 'YYYY-MM in Asia/Ho_Chi_Minh' }),
    kind: FindingKind,
    agency: Type.Optional(AgencyCode),
    cursor: Type.Optional(Type.String({ maxLength: 200, description: 'nextCursor of the previous page' })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 50 })),
  },
  { additionalProperties: false },
);
export type FindingsQuery = Static<typeof FindingsQuery>;

export const FindingsPage = Type.Object(
  {
    items: Type.Array(
      Type.Object({
        documentId: Type.String({ format: 'uuid' }),
        agencyCode: AgencyCode,
        notation: Type.Union([Type.String(), Type.Null()]),
        at: Type.String({
          format: 'date-time',
          description: 'issued at, made at for digitised copies, the deadline for overdue tasks',
        }),
        form: Type.String(),
        personalSignature: Type.Boolean(),
        organisationSignature: Type.Boolean(),
        href: Type.String({ description: 'The document in the documents API' }),
        task: Type.Optional(
          Type.Object({
            taskId: Type.String({ format: 'uuid' }),
            step: Type.Union([Type.String(), Type.Null()]),
            dueAt: Type.String({ format: 'date-time' }),
            unit: Type.Union([Type.String(), Type.Null()]),
            assignee: Type.Union([Type.String(), Type.Null()]),
          }),
        ),
      }),
    ),
    nextCursor: Type.Union([Type.String(), Type.Null()]),
  },
  { $id: 'ComplianceFindingsPage' },
);
export type FindingsPage = Static<typeof FindingsPage>;
