import { Type } from '@sinclair/typebox';
import type { Static } from '@sinclair/typebox';

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
  // An example, so that a mock server built from the OpenAPI document answers with a valid value.
  examples: ['e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'],
});
export const Uuid = Type.String({ format: 'uuid' });
export const Timestamp = Type.String({ format: 'date-time', description: 'ISO 8601 with offset' });

export const DocumentDirection = Type.Union(
  [Type.Literal('outgoing'), Type.Literal('incoming'), Type.Literal('internal')],
  {
    description: 'văn bản đi (outgoing), văn bản đến (incoming) or nội bộ (internal)',
  },
);

/** The signer's authority prefix (NĐ 30/2020 Điều 13 and Phụ lục I.II.7.b). */
export const AuthorityPrefix = Type.Union(
  [Type.Literal('TM.'), Type.Literal('Q.'), Type.Literal('KT.'), Type.Literal('TL.'), Type.Literal('TUQ.')],
  {
    description:
      'TM. (thay mặt a collective), Q. (quyền: acting head), KT. (ký thay the head), TL. (thừa lệnh), TUQ. (thừa ủy quyền)',
  },
);
export type AuthorityPrefix = Static<typeof AuthorityPrefix>;
