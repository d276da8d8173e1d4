import { Type } from '@sinclair/typebox';
import type { Static } from '@sinclair/typebox';
import { AgencyCode, Timestamp, Uuid } from '../common';

// Lấy ý kiến (consultation, docs/domain/directives.md, Đà Nẵng §2d): the members asked, their answers and the close,
// with the fields reporting needs to compute answer rates without lookups.

export const ConsultationCompletion = Type.Union(
  [Type.Literal('all'), Type.Literal('any'), Type.Object({ quorum: Type.Integer({ minimum: 1 }) })],
  { description: 'When the consultation closes by itself: every member, the first answer, or a quorum of answers' },
);

export const ConsultationAnswer = Type.Union(
  [Type.Literal('agree'), Type.Literal('disagree'), Type.Literal('comments')],
  { description: 'nhất trí, không nhất trí, có ý kiến khác' },
);

export const consultationOpenedV1 = {
  type: 'vn.vanthu.consultation.opened.v1',
  topic: 'vanthu.routing',
  aggregate: 'consultation',
  description: 'A consultation (lấy ý kiến) on a document was opened with its members, deadline and completion rule.',
  schema: Type.Object(
    {
      consultationId: Uuid,
      agencyCode: AgencyCode,
      documentId: Uuid,
      processId: Type.Optional(Uuid),
      members: Type.Array(Type.String(), { minItems: 1 }),
      completion: ConsultationCompletion,
      dueAt: Timestamp,
      openedBy: Type.String(),
      openedAt: Timestamp,
    },
    { additionalProperties: false, $id: 'vn.vanthu.consultation.opened.v1' },
  ),
} as const;
export type ConsultationOpenedV1 = Static<typeof consultationOpenedV1.schema>;

export const consultationAnsweredV1 = {
  type: 'vn.vanthu.consultation.answered.v1',
  topic: 'vanthu.routing',
  aggregate: 'consultation',
  description: 'A member of a consultation answered (agree, disagree or comments), on time or not.',
  schema: Type.Object(
    {
      consultationId: Uuid,
      agencyCode: AgencyCode,
      documentId: Uuid,
      memberUserId: Type.String(),
      answer: ConsultationAnswer,
      dueAt: Timestamp,
      onTime: Type.Boolean(),
      answeredAt: Timestamp,
      // For a consultation that takes signed answers: signing's signature on the member's answer sheet.
      signatureId: Type.Optional(Uuid),
      answerSheetDocumentId: Type.Optional(Uuid),
    },
    { additionalProperties: false, $id: 'vn.vanthu.consultation.answered.v1' },
  ),
} as const;
export type ConsultationAnsweredV1 = Static<typeof consultationAnsweredV1.schema>;

export const consultationClosedV1 = {
  type: 'vn.vanthu.consultation.closed.v1',
  topic: 'vanthu.routing',
  aggregate: 'consultation',
  description:
    'A consultation closed, by its completion rule or by the person who opened it, with the tally and the members who did not answer.',
  schema: Type.Object(
    {
      consultationId: Uuid,
      agencyCode: AgencyCode,
      documentId: Uuid,
      reason: Type.Union([Type.Literal('completion-rule'), Type.Literal('closed-by-opener')]),
      tally: Type.Object(
        { agree: Type.Integer(), disagree: Type.Integer(), comments: Type.Integer() },
        { additionalProperties: false },
      ),
      unanswered: Type.Array(Type.String()),
      dueAt: Timestamp,
      closedAt: Timestamp,
      // The summary of answers (tổng hợp ý kiến), a PDF in documents.
      summaryDocumentId: Type.Optional(Uuid),
    },
    { additionalProperties: false, $id: 'vn.vanthu.consultation.closed.v1' },
  ),
} as const;
export type ConsultationClosedV1 = Static<typeof consultationClosedV1.schema>;

// The consultation's deadline carries the boundary timers a task's deadline carries: a reminder before it, which
// changes nothing, and at it the members who have not answered marked overdue and the opener alerted.

export const consultationRemindedV1 = {
  type: 'vn.vanthu.consultation.reminded.v1',
  topic: 'vanthu.routing',
  aggregate: 'consultation',
  description:
    'A consultation is nearing its deadline: the members who have not answered yet are reminded (non-interrupting).',
  schema: Type.Object(
    {
      consultationId: Uuid,
      agencyCode: AgencyCode,
      documentId: Uuid,
      processId: Type.Optional(Uuid),
      members: Type.Array(Type.String(), { minItems: 1, description: 'The members reminded: those yet to answer' }),
      dueAt: Timestamp,
      at: Timestamp,
    },
    { additionalProperties: false, $id: 'vn.vanthu.consultation.reminded.v1' },
  ),
} as const;
export type ConsultationRemindedV1 = Static<typeof consultationRemindedV1.schema>;

export const consultationOverdueV1 = {
  type: 'vn.vanthu.consultation.overdue.v1',
  topic: 'vanthu.routing',
  aggregate: 'consultation',
  description:
    'A consultation passed its deadline with members still to answer: their answers are marked overdue (a late answer still counts, reported late) and the person who opened it is alerted.',
  schema: Type.Object(
    {
      consultationId: Uuid,
      agencyCode: AgencyCode,
      documentId: Uuid,
      processId: Type.Optional(Uuid),
      overdueMembers: Type.Array(Type.String(), { minItems: 1 }),
      answered: Type.Integer({ minimum: 0, description: 'Members who had answered by the deadline' }),
      members: Type.Integer({ minimum: 1 }),
      dueAt: Timestamp,
      escalatedTo: Type.Object({ userId: Type.String() }, { additionalProperties: false }),
      at: Timestamp,
    },
    { additionalProperties: false, $id: 'vn.vanthu.consultation.overdue.v1' },
  ),
} as const;
export type ConsultationOverdueV1 = Static<typeof consultationOverdueV1.schema>;
