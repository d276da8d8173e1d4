import { Type } from '@sinclair/typebox';
import type { Static } from '@sinclair/typebox';
import { AgencyCode, ConsultationAnswer, ConsultationCompletion } from '@vanthu/contracts';

const Uuid = Type.String({ format: 'uuid' });
const Timestamp = Type.String({ format: 'date-time' });
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) => Type.Union([schema, Type.Null()]);
const UserId = Type.String({ minLength: 1, maxLength: 100 });

export const ConsultationIdParams = Type.Object({ id: Uuid }, { additionalProperties: false });

export const NewConsultation = Type.Object(
  {
    documentId: Uuid,
    processId: Type.Optional(Uuid),
    question: Type.String({ minLength: 1, maxLength: 4000 }),
    members: Type.Array(UserId, { minItems: 1, maxItems: 200 }),
    dueAt: Timestamp,
    remindAt: Type.Optional(
      Type.String({
        format: 'date-time',
        description:
          'When the members yet to answer are reminded (after now, before dueAt); default: after three quarters of the working time to the deadline',
      }),
    ),
    completion: Type.Optional(ConsultationCompletion),
  },
  { additionalProperties: false },
);
export type NewConsultation = Static<typeof NewConsultation>;

export const ConsultationAnswerBody = Type.Object(
  { answer: ConsultationAnswer, comment: Type.Optional(Type.String({ minLength: 1, maxLength: 4000 })) },
  { additionalProperties: false },
);
export type ConsultationAnswerBody = Static<typeof ConsultationAnswerBody>;

export const Consultation = Type.Object(
  {
    id: Uuid,
    agencyCode: AgencyCode,
    documentId: Uuid,
    processId: Nullable(Uuid),
    question: Type.String(),
    completion: ConsultationCompletion,
    dueAt: Timestamp,
    overdue: Type.Boolean({ description: 'Past the deadline with members still to answer' }),
    state: Type.String({ description: 'open, closed' }),
    closeReason: Nullable(Type.String({ description: 'completion-rule, closed-by-opener' })),
    openedBy: Type.String(),
    openedAt: Timestamp,
    closedAt: Nullable(Timestamp),
    remindedAt: Nullable(Timestamp),
    members: Type.Array(
      Type.Object({
        userId: Type.String(),
        answer: Nullable(ConsultationAnswer),
        comment: Nullable(Type.String()),
        answeredAt: Nullable(Timestamp),
        onTime: Nullable(Type.Boolean()),
        overdue: Type.Boolean({ description: 'The deadline passed without this answer (it may have come late since)' }),
      }),
    ),
    tally: Type.Object({ agree: Type.Integer(), disagree: Type.Integer(), comments: Type.Integer() }),
    unanswered: Type.Array(Type.String(), { description: 'Members who have not answered (yet)' }),
  },
  { $id: 'Consultation' },
);
export type Consultation = Static<typeof Consultation>;
