import { Type } from '@sinclair/typebox';
import type { Static } from '@sinclair/typebox';
import { AgencyCode, Timestamp, Uuid } from '../common';

export const registerCreatedV1 = {
  type: 'vn.vanthu.register.created.v1',
  topic: 'vanthu.documents',
  aggregate: 'register',
  description:
    'An agency opened a register (sổ đăng ký văn bản đi or đến) with its own yearly number series (NĐ 30/2020 Điều 15, 22).',
  schema: Type.Object(
    {
      registerId: Uuid,
      agencyCode: AgencyCode,
      name: Type.String({ maxLength: 200 }),
      direction: Type.Union([Type.Literal('outgoing'), Type.Literal('incoming')]),
      createdBy: Type.String(),
      createdAt: Timestamp,
    },
    { additionalProperties: false, $id: 'vn.vanthu.register.created.v1' },
  ),
} as const;

export type RegisterCreatedV1 = Static<typeof registerCreatedV1.schema>;
