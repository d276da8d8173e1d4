import { Type } from '@sinclair/typebox';
import type { Static } from '@sinclair/typebox';
import { AgencyCode, Timestamp, Uuid } from '../common';

export const dossierDocumentAddedV1 = {
  type: 'vn.vanthu.dossier.document.added.v1',
  topic: 'vanthu.documents',
  aggregate: 'dossier',
  description:
    'A document was filed in a dossier (hồ sơ công việc) with its ordinal; the document itself is not copied (NĐ 30/2020 Phụ lục VI mục III.4).',
  schema: Type.Object(
    {
      dossierId: Uuid,
      agencyCode: AgencyCode,
      fileCode: Type.String({ description: 'OrganId.year.FileNotation' }),
      documentId: Uuid,
      ordinal: Type.Integer({ minimum: 1 }),
      addedBy: Type.String(),
      addedAt: Timestamp,
    },
    { additionalProperties: false, $id: 'vn.vanthu.dossier.document.added.v1' },
  ),
} as const;

export type DossierDocumentAddedV1 = Static<typeof dossierDocumentAddedV1.schema>;
