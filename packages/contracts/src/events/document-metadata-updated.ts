import { Type } from '@sinclair/typebox';
import type { Static } from '@sinclair/typebox';
import { AgencyCode, Timestamp, Uuid } from '../common';

export const documentMetadataUpdatedV1 = {
  type: 'vn.vanthu.document.metadata.updated.v1',
  topic: 'vanthu.documents',
  aggregate: 'document',
  description:
    'Metadata fields of a document (NĐ 30/2020 Phụ lục VI) were corrected; names the fields, not their values.',
  schema: Type.Object(
    {
      documentId: Uuid,
      agencyCode: AgencyCode,
      fields: Type.Array(Type.String(), { minItems: 1 }),
      updatedBy: Type.String(),
      updatedAt: Timestamp,
    },
    { additionalProperties: false, $id: 'vn.vanthu.document.metadata.updated.v1' },
  ),
} as const;

export type DocumentMetadataUpdatedV1 = Static<typeof documentMetadataUpdatedV1.schema>;
