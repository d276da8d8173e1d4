import type { Tx, UseCaseContext } from '@vanthu/platform';
import type { Credentials, DocumentsClient } from '../clients/documents-client';
import type { SigningClient } from '../clients/signing-client';
import type {
  ScheduleConsultationDeadlineInput,
  ScheduledConsultationDeadline,
  ScheduledDeadline,
  ScheduleSameDaySlaInput,
  ScheduleTaskDeadlineInput,
  WorkingCalendar,
} from '../timers';

/**
 * What routing's process engine needs from the calendar, timers, gating and delegation module
 * (`src/timers`), with the signatures fixed between the two parts of the service.
 */
export type RoutingTimers = {
  addWorkingTime(start: Date, amount: { workingDays?: number; workingHours?: number }, calendar: WorkingCalendar): Date;
  loadCalendar(tx: Tx, agencyCode: string): Promise<WorkingCalendar>;
  scheduleTimer(
    tx: Tx,
    timer: {
      agencyCode: string;
      taskId: string;
      processId: string;
      kind: 'reminder' | 'due' | 'escalation';
      fireAt: Date;
      payload?: Record<string, unknown>;
    },
  ): Promise<unknown>;
  cancelTimers(tx: Tx, where: { taskId: string }): Promise<unknown>;
  scheduleTaskDeadline(tx: Tx, input: ScheduleTaskDeadlineInput): Promise<ScheduledDeadline>;
  scheduleSameDaySla(tx: Tx, input: ScheduleSameDaySlaInput): Promise<Date>;
  assertAssignable(tx: Tx, who: { agencyCode: string; userId: string; at: Date }): Promise<void>;
  resolveDelegate(tx: Tx, who: { agencyCode: string; userId: string; at: Date }): Promise<string>;
  /** A consultation's reminder and overdue timers. */
  scheduleConsultationDeadline(
    tx: Tx,
    input: ScheduleConsultationDeadlineInput,
  ): Promise<ScheduledConsultationDeadline>;
  cancelConsultationTimers(tx: Tx, where: { consultationId: string }): Promise<unknown>;
};

export type RoutingDeps = {
  documents: DocumentsClient;
  /**
   * Seals a consultation's summary with the agency's organisation signature (signing's service seals). The service
   * always has it (SIGNING_URL); absent only in an app wired without signing (the API documents, and tests of other
   * parts than the seal), whose summaries stay unsealed.
   */
  signing?: SigningClient;
  /** Where events go: topic prefix (tests) and CloudEvents source. */
  events: { topicPrefix: string; source: string };
  /** Calendar, timers, gating and delegation; absent only where the module is not wired (API documents). */
  timers?: RoutingTimers;
  /** Routing's own assertion for an agency, for calls with no user behind them (event consumers, delivery). */
  serviceIdentity?: (agencyCode: string) => string;
  /** Agencies on this instance: documents issued to them are delivered directly, not through the hub. */
  localAgencies: string[];
  /**
   * One statement on a connection of its own, committed at once whatever the surrounding transaction does: for the
   * record of what another service already did (documents stored a summary), which a retry must find even when the
   * transaction that called it rolled back. Absent where no pool is wired (the API documents); then it runs in `tx`.
   */
  autocommit?: StatementReader;
  /** Signs a claim routing makes for another service (the answer sheet a member may sign), with the service key. */
  serviceClaims?: (audience: string, claims: Record<string, unknown>, ttlSeconds: number) => string;
};

/**
 * Runs a read that is one statement on a pooled connection, without BEGIN and COMMIT: a single statement already
 * reads one snapshot, and the two round trips of a transaction around it were most of the inbox's cost
 * (bench/routing/results.md).
 */
export type StatementReader = <T>(read: (db: Tx) => Promise<T>) => Promise<T>;

export type RoutingContext = UseCaseContext &
  RoutingDeps & {
    /** The credentials to call documents with on behalf of whoever acts. */
    credentials: Credentials;
    /** For reads of one statement; where absent (event consumers), they run in `runInTransaction`. */
    readStatement?: StatementReader;
  };
