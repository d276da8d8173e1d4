import { Type } from '@sinclair/typebox';
import type { Static } from '@sinclair/typebox';
import { AgencyCode, Sha256Hex, Timestamp, Uuid } from '../common';

export const documentVersionAddedV1 = {
  type: 'vn.vanthu.document.version.added.v1',
  topic: 'vanthu.documents',
  aggregate: 'document',
  description: 'An immutable new version of a document was stored (a signature, a conversion or a revised draft).',
  schema: Type.Object(
    {
      documentId: Uuid,
      agencyCode: AgencyCode,
      version: Type.Integer({ minimum: 2 }),
      previousVersion: Type.Integer({ minimum: 1 }),
      kind: Type.Union([Type.Literal('upload'), Type.Literal('signature'), Type.Literal('conversion')]),
      sha256: Sha256Hex,
      mediaType: Type.String(),
      sizeBytes: Type.Integer({ minimum: 0 }),
      createdBy: Type.String(),
      createdAt: Timestamp,
    },
    { additionalProperties: false, $id: 'vn.vanthu.document.version.added.v1' },
  ),
} as const;

export type DocumentVersionAddedV1 = Static<typeof documentVersionAddedV1.schema>;
