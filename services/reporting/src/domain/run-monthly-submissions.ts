import { firstWorkingDayOfMonth, vietnamDate, vietnamIsoDate } from '@vanthu/platform';
import {
  agenciesOfProvince,
  claimSubmissionRun,
  countSubmittedByRun,
  markSubmissionRun,
  openSubmissionRun,
} from '../repositories/submissions-repository';
import type { SubmissionContext } from './render-submission';
import { storeSubmission } from './submit-monthly-report';

export type RunMonthlySubmissionsInput = Record<string, never>;
export type MonthlySubmissionsOutcome =
  | { due: false; month: string; dueOn: string }
  | {
      due: true;
      month: string;
      dueOn: string;
      submitted: string[];
      /** Agencies whose report could not be made or sealed this time (signing away, no seal key): tried next run. */
      failed: { agencyCode: string; reason: string }[];
      completed: boolean;
    };

/** The month before the Vietnamese month of `now`, and the first working day of `now`'s month. */
export function monthDue(now: Date): { month: string; dueOn: string } {
  const today = vietnamDate(now);
  const index = today.year * 12 + today.month - 2;
  const month = `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, '0')}`;
  return { month, dueOn: firstWorkingDayOfMonth(today.year, today.month) };
}

/**
 * The month-start job: from the first working day of a month (docs/domain/directives.md: the monthly
 * report reaches the Sở KH&CN at the start of the next month), every agency of the province that has not submitted
 * the previous month gets its report generated, stored and announced. Each agency is one transaction that holds the
 * month's run row (FOR UPDATE SKIP LOCKED), so replicas never submit one agency twice and a restart resumes with the
 * agencies left. An agency that submitted itself keeps its own.
 *
 * Whether an agency is done is its own submission of the month, not the run's: every tick, until the next month
 * falls due, looks again for agencies without one, so an agency the projections first see after the run found
 * everyone submitted (a run on an empty database, an agency whose first events arrive mid-month) is submitted by
 * the next tick. The run's `completedAt` says when it last finished with no agency left, null while one is left.
 */
export async function runMonthlySubmissions(
  _input: RunMonthlySubmissionsInput,
  ctx: SubmissionContext,
): Promise<MonthlySubmissionsOutcome> {
  const now = ctx.clock();
  const { month, dueOn } = monthDue(now);
  if (vietnamIsoDate(now) < dueOn) return { due: false, month, dueOn };
  const { result: run } = await ctx.runInTransaction((tx) =>
    openSubmissionRun(tx, { month, dueOn, startedAt: now.toISOString() }),
  );
  const { result: agencies } = await ctx.runInTransaction((tx) => agenciesOfProvince(tx, month));
  const pending = agencies.filter((a) => !a.submitted);
  if (pending.length === 0 && run.completedAt)
    return { due: true, month, dueOn, submitted: [], failed: [], completed: true };
  const submitted: string[] = [];
  const failed: { agencyCode: string; reason: string }[] = [];
  for (const agency of pending) {
    // One agency that cannot be sealed (signing away, no seal key yet) does not hold back the others; the run stays
    // open and the next tick tries it again.
    const attempt = await ctx
      .runInTransaction(async (tx) => {
        if (!(await claimSubmissionRun(tx, month))) return 'held';
        const stored = await storeSubmission(
          tx,
          { agencyCode: agency.agencyCode, month, trigger: 'scheduled', submittedBy: null },
          ctx,
        );
        if (stored) await countSubmittedByRun(tx, month);
        return stored ? 'submitted' : 'already';
      })
      .then(
        ({ result }) => result,
        (error: unknown) => {
          failed.push({ agencyCode: agency.agencyCode, reason: (error as Error).message });
          return 'failed' as const;
        },
      );
    // Another replica holds the run: it carries on, this one stops.
    if (attempt === 'held') return { due: true, month, dueOn, submitted, failed, completed: false };
    if (attempt === 'submitted') submitted.push(agency.agencyCode);
  }
  const { result: completed } = await ctx.runInTransaction(async (tx) => {
    if (!(await claimSubmissionRun(tx, month))) return false;
    // Agencies that appeared while the run went on are submitted by the next tick; until then the run is open.
    const left = (await agenciesOfProvince(tx, month)).some((a) => !a.submitted);
    await markSubmissionRun(tx, month, left ? null : ctx.clock().toISOString());
    return !left;
  });
  return { due: true, month, dueOn, submitted, failed, completed };
}
