import { Type } from '@sinclair/typebox';
import type { Static, TProperties } from '@sinclair/typebox';
import { AgencyCode, Timestamp, Uuid } from '../common';
import { TaskAssignee, TaskAuthority } from './task-overdue';

const taskFields = {
  taskId: Uuid,
  processId: Uuid,
  agencyCode: AgencyCode,
  step: Type.String({ description: 'The step (element id) of the process definition' }),
  assignee: Type.Optional(TaskAssignee),
  documentId: Uuid,
  documentVersion: Type.Optional(Type.Integer({ minimum: 1 })),
  dueAt: Type.Optional(Timestamp),
  /** Present on a step signed on behalf of someone, or under a prefix (TM., KT., Q., TL., TUQ.). */
  authority: Type.Optional(TaskAuthority),
  at: Timestamp,
} satisfies TProperties;

function taskEvent<const N extends string, P extends TProperties>(name: N, description: string, extra: P) {
  const type = `vn.vanthu.task.${name}.v1` as const;
  return {
    type,
    topic: 'vanthu.routing',
    aggregate: 'process',
    description,
    schema: Type.Object({ ...taskFields, ...extra }, { additionalProperties: false, $id: type }),
  } as const;
}

export const taskAssignedV1 = taskEvent('assigned', 'A task was opened for a person or a role in a unit.', {
  role: Type.Optional(
    Type.Union([Type.Literal('lead'), Type.Literal('cooperate'), Type.Literal('inform')], {
      description: 'In a distribution: chủ trì (lead), phối hợp (cooperate), để biết (for information)',
    }),
  ),
  urgent: Type.Optional(Type.Boolean()),
});
export const taskClaimedV1 = taskEvent('claimed', 'A member of the assigned role and unit took the task.', {});
export const taskCompletedV1 = taskEvent('completed', 'A task was completed (for signature steps: by the signature).', {
  completedBy: Type.String(),
  onTime: Type.Boolean(),
  signatureId: Type.Optional(Uuid),
  authorityPrefix: Type.Optional(
    Type.Union([Type.String(), Type.Null()], { description: 'The prefix the completing signature carried' }),
  ),
  reviewedBy: Type.Optional(
    Type.String({ description: 'The owner who accepted the work completedBy did as their delegate (ủy quyền)' }),
  ),
});
export const taskReturnedV1 = taskEvent('returned', 'A task was returned to an earlier step with a reason.', {
  returnedBy: Type.String(),
  toStep: Type.String(),
  reason: Type.String(),
});
export const taskDelegatedV1 = taskEvent(
  'delegated',
  'A task was handed to a named colleague (ủy quyền) or forwarded; on a step the owner reviews, the delegate’s work went back to its owner (review) or the owner sent it back to the delegate with a reason (review-return); an interrupting escalation after the deadline took it from its assignee (escalation).',
  {
    from: Type.String(),
    to: Type.String(),
    mode: Type.Union([
      Type.Literal('delegate'),
      Type.Literal('forward'),
      Type.Literal('review'),
      Type.Literal('review-return'),
      Type.Literal('escalation'),
    ]),
    reason: Type.Optional(Type.String()),
  },
);
export type TaskAssignedV1 = Static<typeof taskAssignedV1.schema>;
export type TaskClaimedV1 = Static<typeof taskClaimedV1.schema>;
export type TaskCompletedV1 = Static<typeof taskCompletedV1.schema>;
export type TaskReturnedV1 = Static<typeof taskReturnedV1.schema>;
export type TaskDelegatedV1 = Static<typeof taskDelegatedV1.schema>;
