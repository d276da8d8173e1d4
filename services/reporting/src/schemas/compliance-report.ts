import { Type } from '@sinclair/typebox';
import type { Static } from '@sinclair/typebox';
import { AgencyCode } from '@vanthu/contracts';

const Month = Type.String({
  pattern: '^\\d{4}-(0[1-9]|1[0-2])$',
  description: 'Calendar month in Asia/Ho_Chi_Minh, YYYY-MM (not in the future)',
});

export const ComplianceQuery = Type.Object(
  { month: Month, agency: Type.Optional(AgencyCode) },
  { additionalProperties: false },
);
export type ComplianceQuery = Static<typeof ComplianceQuery>;

const Count = Type.Integer({ minimum: 0 });

export const Figure = Type.Object({
  label: Type.String({ description: 'Vietnamese name of the figure as reports print it' }),
  numerator: Count,
  denominator: Count,
  ratio: Type.Union([Type.Number({ minimum: 0, maximum: 1 }), Type.Null()], {
    description: 'numerator / denominator; null when the denominator is 0',
  }),
  percent: Type.Union([Type.Number(), Type.Null()], { description: 'ratio × 100 rounded to 2 decimals' }),
  definition: Type.String({ description: 'What is counted, in the definitions version of the report' }),
});

export type Figure = Static<typeof Figure>;

// The figures a threshold may name. A figure added later (cooperationOnTime, 2026.4) is in Figures but not here until
// a threshold names it: a new value of this enum in a response would break clients that switch over it.
const figureNames = [
  'fullyElectronic',
  'signed',
  'personallySigned',
  'organisationSigned',
  'bothSignatures',
  'initialled',
  'validated',
  'digitisedOnly',
  'exchangedThroughHub',
  'incomingOnTime',
  'consultationsOnTime',
] as const;

export const FigureName = Type.Union(figureNames.map((name) => Type.Literal(name)));

export const Figures = Type.Object({
  fullyElectronic: Figure,
  signed: Figure,
  personallySigned: Figure,
  organisationSigned: Figure,
  bothSignatures: Figure,
  initialled: Figure,
  validated: Figure,
  digitisedOnly: Figure,
  exchangedThroughHub: Figure,
  incomingOnTime: Figure,
  cooperationOnTime: Figure,
  consultationsOnTime: Figure,
});

const FreshnessReason = Type.Union(
  [
    Type.Literal('dead-letters'),
    Type.Literal('consumer-lag'),
    Type.Literal('kafka-unreachable'),
    Type.Literal('kafka-unknown'),
  ],
  {
    description:
      'dead-letters: events that could not be projected; consumer-lag: events on the topics not yet read; kafka-unreachable: the broker did not answer lately, so events may be waiting unseen; kafka-unknown: no broker watch is configured',
  },
);

const freshnessProperties = {
  sources: Type.Array(
    Type.Object({
      topic: Type.String(),
      lastProcessedAt: Type.String({ format: 'date-time' }),
      events: Count,
      lag: Type.Optional(
        Type.Union([Count, Type.Null()], { description: 'Events on the topic not yet read; null when unknown' }),
      ),
    }),
    { description: 'Up to when each topic is counted' },
  ),
  deadLetters: Type.Integer({ minimum: 0, description: 'Events that could not be projected (unknown version…)' }),
  mayBeBehind: Type.Boolean({ description: 'true when some events were not counted, or may not have been' }),
  lag: Type.Union([Count, Type.Null()], {
    description: 'Events on the source topics not yet read (high-water mark minus position); null when unknown',
  }),
  kafka: Type.Object({
    reachable: Type.Union([Type.Boolean(), Type.Null()], { description: 'null when no broker watch is configured' }),
    checkedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()], {
      description: 'When the broker last gave its high-water marks',
    }),
    error: Type.Union([Type.String(), Type.Null()]),
  }),
  reasons: Type.Array(FreshnessReason),
};

export const Freshness = Type.Object(freshnessProperties);
export type Freshness = Static<typeof Freshness>;

const agencyReportProperties = {
  agencyCode: AgencyCode,
  month: Type.String(),
  period: Type.Object({ from: Type.String({ format: 'date-time' }), to: Type.String({ format: 'date-time' }) }),
  definitionsVersion: Type.String({ description: 'Version of the figure definitions that produced the report' }),
  documents: Type.Object({
    total: Count,
    outgoing: Type.Integer({ minimum: 0, description: 'văn bản đi created in the month' }),
    incoming: Type.Integer({ minimum: 0, description: 'văn bản đến received in the month' }),
    internal: Type.Integer({ minimum: 0, description: 'văn bản nội bộ (copies included)' }),
    issued: Type.Integer({ minimum: 0, description: 'văn bản đi issued (phát hành) in the month' }),
    digitised: Type.Integer({ minimum: 0, description: 'digitised copies of paper originals made in the month' }),
  }),
  figures: Figures,
  thresholds: Type.Array(
    Type.Object({
      figure: FigureName,
      minimum: Type.Number(),
      from: Type.String({ format: 'date' }),
      source: Type.String(),
      met: Type.Union([Type.Boolean(), Type.Null()], { description: 'null when there was nothing to count' }),
    }),
  ),
  certificates: Type.Object({
    holders: Type.Integer({ minimum: 0, description: 'people with a registered certificate at the end of the month' }),
    activated: Type.Integer({ minimum: 0, description: 'of whom activated' }),
    approvalSignersActivated: Type.Integer({
      minimum: 0,
      description: 'activated holders who signed approvals (lãnh đạo cơ quan) by the end of the month',
    }),
    initialSignersActivated: Type.Integer({
      minimum: 0,
      description: 'activated holders who signed initials (lãnh đạo cấp phòng) by the end of the month',
    }),
  }),
};

export const AgencyComplianceRow = Type.Object(agencyReportProperties);
export type AgencyComplianceRow = Static<typeof AgencyComplianceRow>;

export const ComplianceReport = Type.Object(
  { ...agencyReportProperties, freshness: Freshness, generatedAt: Type.String({ format: 'date-time' }) },
  { $id: 'ComplianceReport' },
);
export type ComplianceReport = Static<typeof ComplianceReport>;

export const ExportQuery = Type.Object(
  {
    month: Month,
    format: Type.Union([Type.Literal('csv'), Type.Literal('xlsx'), Type.Literal('pdf')]),
    agency: Type.Optional(AgencyCode),
  },
  { additionalProperties: false },
);
export type ExportQuery = Static<typeof ExportQuery>;

export const FreshnessReport = Type.Object(
  {
    ...freshnessProperties,
    asOf: Type.String({ format: 'date-time' }),
    partitions: Type.Array(
      Type.Object({
        topic: Type.String(),
        partition: Type.Integer({ minimum: 0 }),
        lastCountedOffset: Type.Union([Type.String(), Type.Null()], {
          description: 'Offset of the last event counted (or dead-lettered) on the partition',
        }),
        lastProcessedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
        committedOffset: Type.Union([Type.String(), Type.Null()], {
          description: 'The consumer group’s committed offset (next to read), as the broker last said',
        }),
        highWatermark: Type.Union([Type.String(), Type.Null()], {
          description: 'Offset of the next event the broker will write, as it last said',
        }),
        lag: Type.Union([Count, Type.Null()]),
      }),
    ),
  },
  { $id: 'ReportFreshness' },
);
export type FreshnessReport = Static<typeof FreshnessReport>;
