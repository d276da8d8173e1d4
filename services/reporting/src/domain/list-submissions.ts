import {
  findSubmissionRun,
  agenciesOfProvince,
  listSubmissions as listSubmissionRows,
} from '../repositories/submissions-repository';
import type { SubmissionRow } from '../repositories/submissions-repository';
import type { ReportingContext } from './get-compliance-report';
import { monthDue } from './run-monthly-submissions';
import { reportableMonth, seesProvince } from './scope';
import { monthRange } from './month';

export type ListSubmissionsInput = { month: string };
export type SubmissionStatus = {
  agencyCode: string;
  submitted: boolean;
  revisions: number;
  latest: (SubmissionRow & { pdf: string }) | null;
};
export type SubmissionsOverview = {
  month: string;
  dueOn: string;
  run: { startedAt: string; completedAt: string | null } | null;
  submitted: number;
  notSubmitted: number;
  agencies: SubmissionStatus[];
};

const pdfPath = (row: SubmissionRow): string =>
  `/v1/reports/submissions/${row.agencyCode}/${row.month}/pdf?revision=${row.revision}`;

/**
 * Who has and has not submitted the month: the report collector (Sở KH&CN) sees every agency of the province, an
 * agency its own. The first working day of the next month is when the month-start job submits for those that have
 * not.
 */
export async function listSubmissions(
  input: ListSubmissionsInput,
  ctx: ReportingContext,
): Promise<SubmissionsOverview> {
  reportableMonth(input.month, ctx.clock);
  const province = seesProvince(ctx.identity);
  const { result } = await ctx.runInTransaction(async (tx) => ({
    agencies: province ? await agenciesOfProvince(tx, input.month) : [],
    rows: await listSubmissionRows(tx, { month: input.month, agencyCode: province ? null : ctx.identity.agencyCode }),
    run: await findSubmissionRun(tx, input.month),
  }));
  const codes = province ? result.agencies.map((a) => a.agencyCode) : [ctx.identity.agencyCode];
  const agencies = codes.map((agencyCode) => {
    const revisions = result.rows.filter((row) => row.agencyCode === agencyCode);
    const latest = revisions[0];
    return {
      agencyCode,
      submitted: latest !== undefined,
      revisions: revisions.length,
      latest: latest ? { ...latest, pdf: pdfPath(latest) } : null,
    };
  });
  // The month after the reported one is when its report falls due.
  const end = new Date(Date.parse(monthRange(input.month).to) + 3_600_000);
  return {
    month: input.month,
    dueOn: monthDue(end).dueOn,
    run: result.run ? { startedAt: result.run.startedAt, completedAt: result.run.completedAt } : null,
    submitted: agencies.filter((a) => a.submitted).length,
    notSubmitted: agencies.filter((a) => !a.submitted).length,
    agencies,
  };
}
