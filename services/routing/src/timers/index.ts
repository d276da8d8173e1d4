// The interface routing's process engine uses for working time, timers, certificate gating and
// delegation. Its signatures are fixed between the two halves of the service; add to it, never change it.
export { addWorkingTime, isWorkingInstant, isWorkingDate, workingTimeBetween } from '../calendar/working-calendar';
export type { WorkingCalendar, WorkingAmount, OfficeHoursBlock } from '../calendar/working-calendar';
export { loadCalendar } from '../calendar/load-calendar';
export {
  scheduleTimer,
  scheduleConsultationTimer,
  cancelTimers,
  cancelConsultationTimers,
  registerTimerHandler,
  registerTimerBatchHandler,
  runDueTimers,
  TimerWorker,
} from './timer-worker';
export type {
  Timer,
  TimerKind,
  TimerHandler,
  TimerBatchHandler,
  TimerContext,
  ScheduleTimerInput,
  ScheduleConsultationTimerInput,
} from './timer-worker';
export { scheduleConsultationDeadline } from './consultation-deadlines';
export type { ScheduleConsultationDeadlineInput, ScheduledConsultationDeadline } from './consultation-deadlines';
export { assertAssignable, checkAssignable, defaultGatingDate } from '../gating/assert-assignable';
export { resolveDelegate } from '../delegation/resolve-delegate';
export { scheduleTaskDeadline, scheduleSameDaySla, registerDeadlineHandlers } from './task-deadlines';
export type {
  ScheduleTaskDeadlineInput,
  ScheduleSameDaySlaInput,
  ScheduledDeadline,
  DeadlinePayload,
} from './task-deadlines';
