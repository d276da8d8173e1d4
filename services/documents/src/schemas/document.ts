import { Type } from '@sinclair/typebox';
import type { Static } from '@sinclair/typebox';
import { AgencyCode, DocumentDirection, Sha256Hex } from '@vanthu/contracts';

// NĐ 30/2020 Phụ lục I.III.2: độ khẩn of a document.
export const Urgency = Type.Union([Type.Literal('normal'), Type.Literal('urgent'), Type.Literal('very-urgent'), Type.Literal('immediate')], {
  description: 'thường (normal), khẩn (urgent), thượng khẩn (very-urgent), hỏa tốc (immediate)',
});

export const DocumentMetadata = Type.Object(
  {
    direction: DocumentDirection,
    // NĐ 30/2020 Phụ lục VI mục I.8: Subject (trích yếu) is String(500).
    subject: Type.String({ minLength: 1, maxLength: 500, description: 'Trích yếu nội dung' }),
    urgency: Type.Optional(Urgency),
    // Phụ lục VI mục I.11: Description is String(500).
    description: Type.Optional(Type.String({ maxLength: 500 })),
  },
  { additionalProperties: false, $id: 'DocumentMetadata' },
);
export type DocumentMetadata = Static<typeof DocumentMetadata>;

export const NewVersionMetadata = Type.Object(
  {
    kind: Type.Union([Type.Literal('upload'), Type.Literal('signature'), Type.Literal('conversion')]),
    basedOnVersion: Type.Integer({ minimum: 1, description: 'The version this one was made from; must be the current version' }),
  },
  { additionalProperties: false, $id: 'NewVersionMetadata' },
);
export type NewVersionMetadata = Static<typeof NewVersionMetadata>;

export const DocumentVersion = Type.Object(
  {
    version: Type.Integer({ minimum: 1 }),
    sha256: Sha256Hex,
    mediaType: Type.String(),
    sizeBytes: Type.Integer({ minimum: 0 }),
    fileName: Type.Union([Type.String(), Type.Null()]),
    kind: Type.String({ description: 'upload, signature, conversion' }),
    createdBy: Type.String(),
    createdAt: Type.String({ format: 'date-time' }),
  },
  { $id: 'DocumentVersion' },
);
export type DocumentVersion = Static<typeof DocumentVersion>;

export const Document = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    agencyCode: AgencyCode,
    direction: DocumentDirection,
    subject: Type.String(),
    urgency: Urgency,
    description: Type.Union([Type.String(), Type.Null()]),
    status: Type.String({ description: 'draft, registered, issued, recalled' }),
    currentVersion: Type.Integer({ minimum: 1 }),
    versions: Type.Array(DocumentVersion),
    createdBy: Type.String(),
    createdAt: Type.String({ format: 'date-time' }),
    updatedAt: Type.String({ format: 'date-time' }),
  },
  { $id: 'Document' },
);
export type Document = Static<typeof Document>;

export const DocumentIdParams = Type.Object({ id: Type.String({ format: 'uuid' }) }, { additionalProperties: false });
export const ContentQuery = Type.Object({ version: Type.Optional(Type.Integer({ minimum: 1 })) }, { additionalProperties: false });
