import { Type } from '@sinclair/typebox';
import type { Static } from '@sinclair/typebox';
import { AgencyCode } from '@vanthu/contracts';

export const ComplianceQuery = Type.Object(
  {
    month: Type.String({
      pattern: '^\\d{4}-(0[1-9]|1[0-2])$',
      description: 'Calendar month in Asia/Ho_Chi_Minh, YYYY-MM',
    }),
    agency: Type.Optional(AgencyCode),
  },
  { additionalProperties: false },
);
export type ComplianceQuery = Static<typeof ComplianceQuery>;

export const ComplianceReport = Type.Object(
  {
    agencyCode: AgencyCode,
    month: Type.String(),
    period: Type.Object({ from: Type.String({ format: 'date-time' }), to: Type.String({ format: 'date-time' }) }),
    documents: Type.Object({
      total: Type.Integer({ minimum: 0 }),
      outgoing: Type.Integer({ minimum: 0, description: 'văn bản đi' }),
      incoming: Type.Integer({ minimum: 0, description: 'văn bản đến' }),
      internal: Type.Integer({ minimum: 0, description: 'văn bản nội bộ' }),
    }),
    generatedAt: Type.String({ format: 'date-time' }),
  },
  { $id: 'ComplianceReport' },
);
export type ComplianceReport = Static<typeof ComplianceReport>;
