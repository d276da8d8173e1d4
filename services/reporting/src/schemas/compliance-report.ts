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
  consultationsOnTime: Figure,
});

export const Freshness = Type.Object({
  sources: Type.Array(
    Type.Object({
      topic: Type.String(),
      lastProcessedAt: Type.String({ format: 'date-time' }),
      events: Count,
    }),
    { description: 'Up to when each topic is counted' },
  ),
  deadLetters: Type.Integer({ minimum: 0, description: 'Events that could not be projected (unknown version…)' }),
  mayBeBehind: Type.Boolean({ description: 'true when some events were not counted' }),
});
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
