import { Type } from '@sinclair/typebox';
import type { Static } from '@sinclair/typebox';
import { AgencyCode } from '@vanthu/contracts';
import { Freshness } from './compliance-report';

const IsoDate = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'A calendar date in Asia/Ho_Chi_Minh' });

export const ProcessingQuery = Type.Object(
  {
    direction: Type.Union([Type.Literal('incoming'), Type.Literal('outgoing')], {
      description: 'văn bản đến (incoming) or văn bản đi (outgoing)',
    }),
    from: IsoDate,
    to: Type.String({ ...IsoDate, description: 'Last day of the period, inclusive (at most 366 days after from)' }),
    agency: Type.Optional(AgencyCode),
  },
  { additionalProperties: false },
);
export type ProcessingQuery = Static<typeof ProcessingQuery>;

const Count = Type.Integer({ minimum: 0 });
export const ProcessingCounts = Type.Object({
  due: Type.Integer({ minimum: 0, description: 'tổng số phải giải quyết: tasks with a deadline in the period' }),
  onTime: Type.Integer({ minimum: 0, description: 'đã giải quyết đúng hạn' }),
  late: Type.Integer({ minimum: 0, description: 'đã giải quyết quá hạn' }),
  overdue: Type.Integer({ minimum: 0, description: 'chưa giải quyết, đã quá hạn' }),
  notYetDue: Type.Integer({ minimum: 0, description: 'chưa giải quyết, chưa đến hạn' }),
  withoutDeadline: Type.Integer({ minimum: 0, description: 'không có thời hạn: assigned in the period' }),
});

export const ProcessingReport = Type.Object(
  {
    agencyCode: AgencyCode,
    direction: Type.Union([Type.Literal('incoming'), Type.Literal('outgoing')]),
    title: Type.String({ description: 'The report’s Vietnamese title' }),
    period: Type.Object({
      from: Type.String({ format: 'date' }),
      to: Type.String({ format: 'date' }),
      fromInstant: Type.String({ format: 'date-time' }),
      toInstant: Type.String({ format: 'date-time', description: 'exclusive' }),
    }),
    asOf: Type.String({ format: 'date-time', description: 'Open tasks are overdue or not yet due as of this time' }),
    definition: Type.String(),
    total: ProcessingCounts,
    byRole: Type.Union([Type.Object({ lead: ProcessingCounts, cooperate: ProcessingCounts }), Type.Null()], {
      description:
        'Incoming: the total split into the lead’s handling (chủ trì) and the cooperating units’ (phối hợp); null for outgoing',
    }),
    units: Type.Array(
      Type.Object({
        unit: Type.Union([Type.String(), Type.Null()], { description: 'null: no unit named on the task' }),
        counts: ProcessingCounts,
        people: Type.Array(
          Type.Object({
            userId: Type.Union([Type.String(), Type.Null()], { description: 'null: assigned to a role, not claimed' }),
            counts: ProcessingCounts,
          }),
        ),
      }),
    ),
    tasks: Count,
    freshness: Freshness,
    generatedAt: Type.String({ format: 'date-time' }),
  },
  { $id: 'ProcessingReport' },
);
export type ProcessingReport = Static<typeof ProcessingReport>;
export type ProcessingCountsBody = Static<typeof ProcessingCounts>;
