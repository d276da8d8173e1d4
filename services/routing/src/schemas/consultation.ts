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
    signedAnswers: Type.Optional(
      Type.Boolean({
        description:
          'true: each member answers with an answer sheet (POST /v1/consultations/{id}/answer-sheets) signed with their own certificate through a two-step signing session; the answer counts only when signing reports that signature',
      }),
    ),
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
    signedAnswers: Type.Boolean({ description: 'Answers count only as answer sheets the member signed' }),
    summaryDocumentId: Nullable(
      Type.String({
        format: 'uuid',
        description:
          'The summary of answers (tổng hợp ý kiến), a PDF stored at the close; its current version carries the agency’s organisation seal',
      }),
    ),
    summaryDossierId: Nullable(
      Type.String({ format: 'uuid', description: 'The document’s dossier the summary was filed in' }),
    ),
    members: Type.Array(
      Type.Object({
        userId: Type.String(),
        answer: Nullable(ConsultationAnswer),
        comment: Nullable(Type.String()),
        answeredAt: Nullable(Timestamp),
        onTime: Nullable(Type.Boolean()),
        overdue: Type.Boolean({ description: 'The deadline passed without this answer (it may have come late since)' }),
        signatureId: Nullable(
          Type.String({ format: 'uuid', description: 'The signature on the answer sheet that carried the answer' }),
        ),
      }),
    ),
    tally: Type.Object({ agree: Type.Integer(), disagree: Type.Integer(), comments: Type.Integer() }),
    unanswered: Type.Array(Type.String(), { description: 'Members who have not answered (yet)' }),
  },
  { $id: 'Consultation' },
);
export type Consultation = Static<typeof Consultation>;

export const AnswerSheet = Type.Object(
  {
    consultationId: Uuid,
    documentId: Type.String({
      format: 'uuid',
      description: 'The answer sheet (phiếu lấy ý kiến) in documents: sign it with POST /v1/signing-sessions',
    }),
    version: Type.Integer({ minimum: 1, description: 'The version to sign (basedOnVersion)' }),
    sha256: Type.String(),
    userId: Type.String(),
    answer: ConsultationAnswer,
    comment: Nullable(Type.String()),
    state: Type.Union([Type.Literal('awaiting-signature'), Type.Literal('accepted'), Type.Literal('superseded')]),
    createdAt: Timestamp,
    signingClaim: Nullable(
      Type.String({
        description:
          "Routing's signed claim that this document is the member's answer sheet of this consultation, at this version and digest (a JWT, valid 24 hours; ask for the sheet again for a fresh one). Give it to POST /v1/signing-sessions as answerSheetClaim with kind consultation-answer: signing grants that kind to any member with an activated certificate, for this sheet only.",
      }),
    ),
  },
  { additionalProperties: false },
);
export type AnswerSheet = Static<typeof AnswerSheet>;
