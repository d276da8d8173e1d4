import { escalateTask } from '../domain/escalate-task';
import { registerTimerHandler } from '../timers';
import { consumerContext } from './consumer-context';
import type { RoutingConsumerDeps } from './consumers';

/**
 * The engine's handler of interrupting escalations: it replaces the timers module's announcement of the `escalation`
 * kind (registered after `registerDeadlineHandlers`), moving the task as well as reporting it overdue. The use case
 * runs as routing itself, in the timer's transaction, at the instant the worker fires it.
 */
export function registerEscalationHandler(deps: RoutingConsumerDeps): () => void {
  return registerTimerHandler('escalation', async (tx, timer, timerContext) => {
    await escalateTask(
      { timer },
      consumerContext(tx, { ...deps, clock: () => timerContext.now }, timer.agencyCode, `timer-${timer.id}`),
    );
  });
}
