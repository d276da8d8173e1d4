import type { Mutation } from '@vanthu/platform';
import type { DelegateTaskBody, TaskView } from '../schemas/routing';
import { handOverTask } from './hand-over-task';
import type { RoutingContext } from './routing-context';

export type ForwardTaskInput = { taskId: string; body: DelegateTaskBody };

/** A handler passes the work to a colleague of the unit (chuyển xử lý), where the step allows it. */
export async function forwardTask(input: ForwardTaskInput, ctx: RoutingContext): Promise<Mutation<TaskView>> {
  return handOverTask({ ...input, mode: 'forward' }, ctx);
}
