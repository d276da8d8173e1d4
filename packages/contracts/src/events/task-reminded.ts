import { Type } from '@sinclair/typebox';
import type { Static } from '@sinclair/typebox';
import { AgencyCode, Timestamp, Uuid } from '../common';
import { TaskAssignee } from './task-overdue';

export const taskRemindedV1 = {
  type: 'vn.vanthu.task.reminded.v1',
  topic: 'vanthu.routing',
  aggregate: 'task',
  description:
    'A task is nearing its deadline (a non-interrupting reminder to its assignee); nothing about the task changes.',
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
    },
    { additionalProperties: false, $id: 'vn.vanthu.task.reminded.v1' },
  ),
} as const;

export type TaskRemindedV1 = Static<typeof taskRemindedV1.schema>;
