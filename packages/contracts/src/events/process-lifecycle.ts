import { Type } from '@sinclair/typebox';
import type { Static } from '@sinclair/typebox';
import { AgencyCode, Timestamp, Uuid } from '../common';

// Process and task events share their identifying fields so reporting can join them without lookups.

export const ProcessKind = Type.Union(
  [Type.Literal('outgoing'), Type.Literal('incoming'), Type.Literal('submission')],
  {
    description: 'văn bản đi (outgoing), văn bản đến (incoming) or hồ sơ trình (submission to a higher level)',
  },
);

export const Urgency = Type.Union(
  [Type.Literal('normal'), Type.Literal('urgent'), Type.Literal('very-urgent'), Type.Literal('immediate')],
  { description: 'Độ khẩn (NĐ 30/2020 Phụ lục I.III.2): thường, khẩn, thượng khẩn, hỏa tốc' },
);

export const processStartedV1 = {
  type: 'vn.vanthu.process.started.v1',
  topic: 'vanthu.routing',
  aggregate: 'process',
  description: 'A process (outgoing, incoming or submission) started on a document, on a fixed definition version.',
  schema: Type.Object(
    {
      processId: Uuid,
      agencyCode: AgencyCode,
      kind: ProcessKind,
      definitionId: Uuid,
      definitionVersion: Type.Integer({ minimum: 1 }),
      documentId: Uuid,
      startedBy: Type.String(),
      startedAt: Timestamp,
      urgency: Type.Optional(Urgency),
    },
    { additionalProperties: false, $id: 'vn.vanthu.process.started.v1' },
  ),
} as const;
export type ProcessStartedV1 = Static<typeof processStartedV1.schema>;

export const processCompletedV1 = {
  type: 'vn.vanthu.process.completed.v1',
  topic: 'vanthu.routing',
  aggregate: 'process',
  description: 'A process reached its end (outgoing: issued and handed to delivery; incoming: closed by the lead).',
  schema: Type.Object(
    {
      processId: Uuid,
      agencyCode: AgencyCode,
      kind: ProcessKind,
      documentId: Uuid,
      outcome: Type.String({ description: 'issued, closed, returned-to-sender, cancelled' }),
      completedAt: Timestamp,
      dueAt: Type.Optional(Timestamp),
      onTime: Type.Optional(Type.Boolean()),
    },
    { additionalProperties: false, $id: 'vn.vanthu.process.completed.v1' },
  ),
} as const;
export type ProcessCompletedV1 = Static<typeof processCompletedV1.schema>;

export const processReturnedV1 = {
  type: 'vn.vanthu.process.returned.v1',
  topic: 'vanthu.routing',
  aggregate: 'process',
  description: 'A reviewer returned the process to an earlier step with a reason (trả lại).',
  schema: Type.Object(
    {
      processId: Uuid,
      agencyCode: AgencyCode,
      fromStep: Type.String(),
      toStep: Type.String(),
      reason: Type.String({ minLength: 1, maxLength: 2000 }),
      returnedBy: Type.String(),
      returnedAt: Timestamp,
    },
    { additionalProperties: false, $id: 'vn.vanthu.process.returned.v1' },
  ),
} as const;
export type ProcessReturnedV1 = Static<typeof processReturnedV1.schema>;
