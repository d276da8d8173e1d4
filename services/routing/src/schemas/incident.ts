import { Type } from '@sinclair/typebox';
import type { Static } from '@sinclair/typebox';
import { AgencyCode } from '@vanthu/contracts';

const Uuid = Type.String({ format: 'uuid' });
const Timestamp = Type.String({ format: 'date-time' });
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) => Type.Union([schema, Type.Null()]);

export const IncidentIdParams = Type.Object({ id: Uuid }, { additionalProperties: false });

export const NewIncident = Type.Object(
  {
    reason: Type.String({ minLength: 1, maxLength: 2000, description: 'What failed (sự cố), as the record states it' }),
    startedAt: Type.Optional(
      Type.String({
        format: 'date-time',
        description: 'When the system failed (not after now); default: now',
      }),
    ),
  },
  { additionalProperties: false },
);
export type NewIncident = Static<typeof NewIncident>;

export const IncidentEnd = Type.Object(
  {
    endedAt: Type.Optional(
      Type.String({ format: 'date-time', description: 'When the system was back (after the start, not after now)' }),
    ),
  },
  { additionalProperties: false },
);
export type IncidentEnd = Static<typeof IncidentEnd>;

export const PaperIssueBody = Type.Object(
  {
    paperNotation: Type.String({
      minLength: 1,
      maxLength: 100,
      description:
        'Số, ký hiệu written on the paper original (the same number the register gives it, NĐ 30/2020 Điều 15)',
    }),
    note: Type.Optional(Type.String({ minLength: 1, maxLength: 2000 })),
  },
  { additionalProperties: false },
);
export type PaperIssueBody = Static<typeof PaperIssueBody>;

export const PaperIssue = Type.Object(
  {
    processId: Uuid,
    documentId: Uuid,
    taskId: Uuid,
    paperNotation: Type.String(),
    note: Nullable(Type.String()),
    issuedBy: Type.String(),
    issuedAt: Timestamp,
    digitisationTaskId: Nullable(Uuid),
    digitisedCopyId: Nullable(Uuid),
    digitisedAt: Nullable(Timestamp),
  },
  { additionalProperties: false },
);

export const Incident = Type.Object(
  {
    id: Uuid,
    agencyCode: AgencyCode,
    state: Type.Union([Type.Literal('open'), Type.Literal('ended')]),
    reason: Type.String(),
    startedAt: Timestamp,
    endedAt: Nullable(Timestamp),
    declaredBy: Type.String(),
    declaredAt: Timestamp,
    endedBy: Nullable(Type.String()),
    paperIssues: Type.Array(PaperIssue, { description: 'Documents issued on paper during the incident' }),
  },
  { additionalProperties: false },
);
export type IncidentView = Static<typeof Incident>;

export const IncidentList = Type.Object(
  {
    current: Nullable(Incident),
    items: Type.Array(Incident, { description: 'The agency’s latest incidents, newest first (at most 50)' }),
  },
  { additionalProperties: false },
);
export type IncidentList = Static<typeof IncidentList>;
