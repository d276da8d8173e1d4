import { Type } from '@sinclair/typebox';
import type { Static } from '@sinclair/typebox';
import { AgencyCode } from '@vanthu/contracts';
import { AgencyComplianceRow, Figures, Freshness } from './compliance-report';

export const ProvinceQuery = Type.Object(
  { month: Type.String({ pattern: '^\\d{4}-(0[1-9]|1[0-2])$', description: 'YYYY-MM in Asia/Ho_Chi_Minh' }) },
  { additionalProperties: false },
);
export type ProvinceQuery = Static<typeof ProvinceQuery>;

const Count = Type.Integer({ minimum: 0 });

export const ProvinceReport = Type.Object(
  {
    month: Type.String(),
    period: Type.Object({ from: Type.String({ format: 'date-time' }), to: Type.String({ format: 'date-time' }) }),
    definitionsVersion: Type.String(),
    province: Type.Object({
      agencies: Count,
      documents: Type.Object({
        total: Count,
        outgoing: Count,
        incoming: Count,
        internal: Count,
        issued: Count,
        digitised: Count,
      }),
      figures: Figures,
    }),
    agencies: Type.Array(Type.Intersect([Type.Object({ rank: Type.Integer({ minimum: 1 }) }), AgencyComplianceRow]), {
      description: 'Ranked by the share processed fully electronically, then by the share signed personally',
    }),
    annex1: Type.Array(
      Type.Object({
        order: Type.Integer({ minimum: 1 }),
        agencyCode: AgencyCode,
        issued: Count,
        organisationSigned: Type.Boolean({ description: 'Ký số cơ quan' }),
        organisationSignedCount: Count,
        leaderSigned: Type.Boolean({ description: 'Ký số lãnh đạo' }),
        leaderSignedCount: Count,
      }),
      { description: 'Phụ lục 1: kết quả ký số văn bản điện tử (ký số cơ quan, ký số lãnh đạo)' },
    ),
    annex2: Type.Array(
      Type.Object({
        order: Type.Integer({ minimum: 1 }),
        agencyCode: AgencyCode,
        certificateHolders: Count,
        activated: Count,
        agencyLeadersActivated: Type.Integer({
          minimum: 0,
          description: 'Lãnh đạo cơ quan: activated holders who signed approvals',
        }),
        unitLeadersActivated: Type.Integer({
          minimum: 0,
          description: 'Lãnh đạo cấp phòng: activated holders who signed initials',
        }),
      }),
      { description: 'Phụ lục 2: cấp chứng thư số cá nhân' },
    ),
    freshness: Freshness,
    generatedAt: Type.String({ format: 'date-time' }),
  },
  { $id: 'ProvinceComplianceReport' },
);
export type ProvinceReport = Static<typeof ProvinceReport>;
