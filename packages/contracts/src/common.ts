import { Type } from '@sinclair/typebox';

// NĐ 30/2020 Phụ lục VI: OrganId (mã định danh) is String(13), e.g. 000.00.31.H56.
export const AgencyCode = Type.String({
  pattern: '^[0-9A-Z]{3}\\.[0-9A-Z]{2}\\.[0-9A-Z]{2}\\.[A-Z][0-9]{2}$',
  maxLength: 13,
  description: 'Mã định danh of the agency (QĐ 20/2020/QĐ-TTg), e.g. 000.00.31.H56',
  examples: ['000.00.31.H56'],
});

export const Sha256Hex = Type.String({
  pattern: '^[0-9a-f]{64}$',
  description: 'SHA-256 of the content, lowercase hex',
});
export const Uuid = Type.String({ format: 'uuid' });
export const Timestamp = Type.String({ format: 'date-time', description: 'ISO 8601 with offset' });

export const DocumentDirection = Type.Union(
  [Type.Literal('outgoing'), Type.Literal('incoming'), Type.Literal('internal')],
  {
    description: 'văn bản đi (outgoing), văn bản đến (incoming) or nội bộ (internal)',
  },
);
