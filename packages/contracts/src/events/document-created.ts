import { Type } from '@sinclair/typebox';
import type { Static } from '@sinclair/typebox';
import { AgencyCode, DocumentDirection, Sha256Hex, Timestamp, Uuid } from '../common';

// Binaries never travel in events: the consumer gets the id, version and SHA-256 and asks
// the documents service for content when it needs it.
export const documentCreatedV1 = {
  type: 'vn.vanthu.document.created.v1',
  topic: 'vanthu.documents',
  aggregate: 'document',
  description: 'A document was stored with its first version (upload of a draft, an incoming or an internal document).',
  schema: Type.Object(
    {
      documentId: Uuid,
      agencyCode: AgencyCode,
      direction: DocumentDirection,
      subject: Type.String({ maxLength: 500 }),
      version: Type.Integer({ minimum: 1 }),
      sha256: Sha256Hex,
      mediaType: Type.String(),
      sizeBytes: Type.Integer({ minimum: 0 }),
      createdBy: Type.String(),
      createdAt: Timestamp,
    },
    { additionalProperties: false, $id: 'vn.vanthu.document.created.v1' },
  ),
} as const;

export type DocumentCreatedV1 = Static<typeof documentCreatedV1.schema>;
