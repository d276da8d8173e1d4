import type { Clock } from '@vanthu/platform';
import type { RoutingTimers } from './domain/routing-context';
import {
  addWorkingTime,
  assertAssignable,
  cancelConsultationTimers,
  cancelTimers,
  loadCalendar,
  resolveDelegate,
  scheduleConsultationDeadline,
  scheduleSameDaySla,
  scheduleTaskDeadline,
  scheduleTimer,
} from './timers';

/** The calendar, timers, gating and delegation module, as the process engine uses it. */
export function moduleTimers(clock: Clock): RoutingTimers {
  return {
    addWorkingTime,
    loadCalendar,
    scheduleTimer: (tx, timer) => scheduleTimer(tx, timer, clock),
    cancelTimers: (tx, where) => cancelTimers(tx, where),
    scheduleTaskDeadline: (tx, input) => scheduleTaskDeadline(tx, input, clock),
    scheduleSameDaySla: (tx, input) => scheduleSameDaySla(tx, input, clock),
    assertAssignable,
    resolveDelegate,
    scheduleConsultationDeadline: (tx, input) => scheduleConsultationDeadline(tx, input, clock),
    cancelConsultationTimers: (tx, where) => cancelConsultationTimers(tx, where),
  };
}
