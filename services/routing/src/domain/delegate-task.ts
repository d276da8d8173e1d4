import type { Mutation } from '@vanthu/platform';
import type { DelegateTaskBody, TaskView } from '../schemas/routing';
import { handOverTask } from './hand-over-task';
import type { RoutingContext } from './routing-context';

export type DelegateTaskInput = { taskId: string; body: DelegateTaskBody };

/** Ủy quyền: the assignee hands the task to a named colleague; the owner stays on record. */
export async function delegateTask(input: DelegateTaskInput, ctx: RoutingContext): Promise<Mutation<TaskView>> {
  return handOverTask({ ...input, mode: 'delegate' }, ctx);
}
