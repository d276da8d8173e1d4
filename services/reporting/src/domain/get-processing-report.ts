import { processingCounts } from '../repositories/processing-repository';
import type { ProcessingCounts, ProcessingDirection } from '../repositories/processing-repository';
import type { ProcessingReport } from '../schemas/processing-report';
import { readFreshness } from './freshness';
import type { ReportingContext } from './get-compliance-report';
import { reportablePeriod } from './period';
import { agencyInScope } from './scope';

export type GetProcessingReportInput = { direction: ProcessingDirection; from: string; to: string; agency?: string };

// NĐ 30/2020 Phụ lục IV: the registers of incoming and outgoing documents, and the reports on how they
// were handled, per unit and person.
const titles: Record<ProcessingDirection, string> = {
  incoming: 'Báo cáo tình hình giải quyết văn bản đến',
  outgoing: 'Báo cáo tình hình giải quyết văn bản đi',
};
const definitions: Record<ProcessingDirection, string> = {
  incoming:
    'the handling tasks of incoming documents with a deadline in the period, of the lead (chủ trì) and of each cooperating unit (phối hợp), each under its own unit and person, by state as of asOf (byRole gives the two apart); tasks without a deadline assigned in the period apart; tasks returned without being done left out; those given the document for information (để biết) not counted',
  outgoing:
    'every task of outgoing-document processes (drafting, review, initials, signature, issue) with a deadline in the period, by state as of asOf; tasks without a deadline assigned in the period apart',
};

const zero = (): ProcessingCounts => ({ due: 0, onTime: 0, late: 0, overdue: 0, notYetDue: 0, withoutDeadline: 0 });
function add(into: ProcessingCounts, counts: ProcessingCounts): void {
  for (const key of Object.keys(into) as (keyof ProcessingCounts)[]) into[key] += counts[key];
}

/**
 * Báo cáo tình hình giải quyết văn bản đến / đi for a period: due, done on time, done late, overdue and
 * not yet due, per unit and per person, from routing's task events.
 */
export async function getProcessingReport(
  input: GetProcessingReportInput,
  ctx: ReportingContext,
): Promise<ProcessingReport> {
  const agencyCode = agencyInScope(ctx.identity, input.agency);
  const period = reportablePeriod(input.from, input.to, ctx.clock);
  const asOf = ctx.clock().toISOString();
  const { result } = await ctx.runInTransaction(async (tx) => ({
    rows: await processingCounts(tx, {
      agencyCode,
      direction: input.direction,
      from: period.fromInstant,
      to: period.toInstant,
      asOf,
    }),
    freshness: await readFreshness(tx, ctx),
  }));
  const total = zero();
  const byRole = input.direction === 'incoming' ? { lead: zero(), cooperate: zero() } : null;
  const units = new Map<string | null, ProcessingReport['units'][number]>();
  for (const row of result.rows) {
    let unit = units.get(row.unit);
    if (!unit) units.set(row.unit, (unit = { unit: row.unit, counts: zero(), people: [] }));
    // A person may lead one document and cooperate on another: one line per person, both counted.
    let person = unit.people.find((p) => p.userId === row.person);
    if (!person) unit.people.push((person = { userId: row.person, counts: zero() }));
    add(person.counts, row.counts);
    add(unit.counts, row.counts);
    add(total, row.counts);
    if (byRole && row.role) add(byRole[row.role], row.counts);
  }
  return {
    agencyCode,
    direction: input.direction,
    title: titles[input.direction],
    period,
    asOf,
    definition: definitions[input.direction],
    total,
    byRole,
    units: [...units.values()],
    tasks: total.due + total.withoutDeadline,
    freshness: result.freshness,
    generatedAt: asOf,
  };
}
