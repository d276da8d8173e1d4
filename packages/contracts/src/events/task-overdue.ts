import { Type } from '@sinclair/typebox';
import type { Static } from '@sinclair/typebox';
import { AgencyCode, AuthorityPrefix, Timestamp, Uuid } from '../common';

export const TaskAssignee = Type.Object(
  {
    userId: Type.Optional(Type.String()),
    role: Type.Optional(Type.String()),
    unit: Type.Optional(Type.String()),
  },
  { additionalProperties: false, description: 'A person, or a role in a unit that one member claims' },
);

export const TaskAuthority = Type.Object(
  {
    prefix: Type.Union([AuthorityPrefix, Type.Null()]),
    onBehalfOf: Type.Union([Type.String(), Type.Null()], {
      description:
        'The person (or, for TM., the collective’s head) the assignee signs for; null when the assignee signs in their own name under the prefix',
    }),
  },
  {
    additionalProperties: false,
    description: 'How the assignee signs this step (NĐ 30/2020 Điều 13): the prefix and on whose behalf',
  },
);

export const taskOverdueV1 = {
  type: 'vn.vanthu.task.overdue.v1',
  topic: 'vanthu.routing',
  aggregate: 'task',
  description:
    'A task passed its deadline on the agency’s working-day calendar without being completed (NĐ 30/2020 Điều 24: ' +
    'handled within the deadline); escalatedTo names who was alerted (the unit head). `sla` marks the same-day ' +
    'registration, transfer or issue rule (NĐ 30/2020 Điều 18, 22, 23: at the latest the next working day).',
  schema: Type.Object(
    {
      taskId: Uuid,
      processId: Uuid,
      agencyCode: AgencyCode,
      step: Type.String(),
      assignee: Type.Optional(TaskAssignee),
      documentId: Uuid,
      documentVersion: Type.Optional(Type.Integer({ minimum: 1 })),
      dueAt: Timestamp,
      at: Timestamp,
      escalatedTo: Type.Optional(TaskAssignee),
      interrupting: Type.Optional(
        Type.Boolean({ description: 'The escalation takes the task away from its assignee' }),
      ),
      sla: Type.Optional(Type.Union([Type.Literal('registration'), Type.Literal('transfer'), Type.Literal('issue')])),
    },
    { additionalProperties: false, $id: 'vn.vanthu.task.overdue.v1' },
  ),
} as const;

export type TaskOverdueV1 = Static<typeof taskOverdueV1.schema>;
