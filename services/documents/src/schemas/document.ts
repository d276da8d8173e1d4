import { Type } from '@sinclair/typebox';
import type { Static } from '@sinclair/typebox';
import { AgencyCode, DocumentDirection, Sha256Hex } from '@vanthu/contracts';
import './formats'; // TypeBox's own checks of multipart metadata need the calendar-date format

// NĐ 30/2020 Phụ lục I.III.2: độ khẩn of a document.
export const Urgency = Type.Union(
  [Type.Literal('normal'), Type.Literal('urgent'), Type.Literal('very-urgent'), Type.Literal('immediate')],
  {
    description: 'thường (normal), khẩn (urgent), thượng khẩn (very-urgent), hỏa tốc (immediate)',
  },
);

// NĐ 30/2020 Phụ lục I.III.2: độ mật. Only `normal` is ever accepted: documents carrying state
// secrets never enter the system (ARCHITECTURE.md "Glossary"); the others exist to be refused by name.
export const Secrecy = Type.Union(
  [Type.Literal('normal'), Type.Literal('secret'), Type.Literal('top-secret'), Type.Literal('most-secret')],
  {
    description:
      'thường (normal), mật (secret), tối mật (top-secret), tuyệt mật (most-secret); anything but normal is refused',
  },
);

const IsoDate = Type.String({ format: 'date', maxLength: 10, description: 'yyyy-MM-dd' });
const OrganRef = Type.Object(
  { organId: Type.String({ minLength: 1, maxLength: 13 }), organName: Type.Optional(Type.String({ maxLength: 200 })) },
  { additionalProperties: false },
);

/**
 * The Phụ lục VI fields a client supplies. Fields the decree makes the system fill (OrganId,
 * FileCatalog, DocOrdinal, CodeNumber and IssuedDate of outgoing documents, ArrivalDate and
 * ArrivalNumber of incoming ones) are set at registration, never taken from the client.
 */
export const DocumentMetadata = Type.Object(
  {
    direction: DocumentDirection,
    // Phụ lục VI mục I.8: Subject (trích yếu) is String(500).
    subject: Type.String({ minLength: 1, maxLength: 500, description: 'Trích yếu nội dung (Subject, S500)' }),
    typeCode: Type.Optional(
      Type.String({ minLength: 1, maxLength: 10, description: 'Code from GET /v1/document-types (e.g. QĐ, CV, TTr)' }),
    ),
    urgency: Type.Optional(Urgency),
    secrecy: Type.Optional(Secrecy),
    // Phụ lục VI mục I.11: Description is String(500).
    description: Type.Optional(Type.String({ maxLength: 500 })),
    language: Type.Optional(Type.String({ maxLength: 30, description: 'Language (S30)' })),
    pageAmount: Type.Optional(Type.Integer({ minimum: 1, maximum: 999, description: 'PageAmount (N3)' })),
    signer: Type.Optional(
      Type.Object(
        {
          // The signer's authority with whom it is exercised for, as edXML SignerInfo.Competence carries it
          // ("KT. CHỦ TỊCH", "TM. ỦY BAN NHÂN DÂN"; the prefixes of NĐ 30/2020 Phụ lục I.II.7.b,
          // docs/domain/requirements.md §7.8), not the prefix alone: up to 100 characters, the limit exchange's
          // edXML rules put on Competence (services/exchange/src/domain/edxml/rules.ts), so a received document
          // keeps it whole.
          competence: Type.Optional(
            Type.String({
              maxLength: 100,
              description: 'Thẩm quyền ký (SignerInfo.Competence): TM., Q., KT., TL., TUQ. and whom, e.g. KT. CHỦ TỊCH',
            }),
          ),
          position: Type.Optional(Type.String({ maxLength: 100 })),
          fullName: Type.String({ minLength: 1, maxLength: 50 }),
        },
        { additionalProperties: false, description: 'SignerInfo' },
      ),
    ),
    // Outgoing: To (13) — recipients; IssuedAmount (15); DueDate (16, hạn trả lời).
    to: Type.Optional(Type.Array(OrganRef, { maxItems: 500 })),
    issuedAmount: Type.Optional(Type.Integer({ minimum: 0, maximum: 999 })),
    dueDate: Type.Optional(IsoDate),
    // Incoming: the issuer's own identification of the document (fields 1.1, 4, 5, 6, 7).
    sender: Type.Optional(OrganRef),
    codeNumber: Type.Optional(
      Type.String({ minLength: 1, maxLength: 11, description: 'CodeNumber (S11): the issuer’s số' }),
    ),
    codeNotation: Type.Optional(
      Type.String({ minLength: 1, maxLength: 30, description: 'CodeNotation (S30): the issuer’s ký hiệu' }),
    ),
    issuedDate: Type.Optional(IsoDate),
    toPlaces: Type.Optional(Type.String({ maxLength: 1000, description: 'ToPlaces (S1000): đơn vị hoặc người nhận' })),
    traceHeaderList: Type.Optional(
      Type.String({ maxLength: 100_000, description: 'TraceHeaderList: ý kiến phân phối, chỉ đạo, trạng thái xử lý' }),
    ),
  },
  { additionalProperties: false, $id: 'DocumentMetadata' },
);
export type DocumentMetadata = Static<typeof DocumentMetadata>;

export const NewVersionMetadata = Type.Object(
  {
    kind: Type.Union([Type.Literal('upload'), Type.Literal('signature'), Type.Literal('conversion')]),
    basedOnVersion: Type.Integer({
      minimum: 1,
      description: 'The version this one was made from; must be the current version',
    }),
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

export const Registration = Type.Object(
  {
    registerId: Type.String({ format: 'uuid' }),
    registerName: Type.String(),
    year: Type.Integer({ description: 'Register-year (Asia/Ho_Chi_Minh)' }),
    number: Type.Integer({ minimum: 1, description: 'Số (outgoing) or số đến (incoming)' }),
    numberText: Type.String({ description: 'Zero-padded to two digits: "01"' }),
    notation: Type.String({ description: 'The full số/ký hiệu, e.g. 15/QĐ-UBND (for incoming: the issuer’s)' }),
    documentIdentifier: Type.String({ description: 'Mã định danh văn bản {OrganId},{yyyy/MM/dd},{số}/{ký hiệu}' }),
    registeredAt: Type.String({ format: 'date-time' }),
    registeredBy: Type.String(),
  },
  { $id: 'Registration' },
);
export type Registration = Static<typeof Registration>;

export const Recall = Type.Object(
  {
    reason: Type.String(),
    recalledAt: Type.String({ format: 'date-time' }),
    recalledBy: Type.String(),
    origin: Type.String({
      description: 'own (the agency recalled its document) or issuer (the issuer recalled an incoming one)',
    }),
  },
  { $id: 'Recall' },
);
export type Recall = Static<typeof Recall>;

export const Document = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    agencyCode: AgencyCode,
    direction: DocumentDirection,
    subject: Type.String(),
    typeCode: Type.Union([Type.String(), Type.Null()]),
    urgency: Urgency,
    description: Type.Union([Type.String(), Type.Null()]),
    metadata: Type.Record(Type.String(), Type.Unknown(), { description: 'The Phụ lục VI fields as stored' }),
    status: Type.String({
      description: 'draft, registered, issued, recalled; incoming documents recalled by their issuer: revoked',
    }),
    registration: Type.Union([Registration, Type.Null()]),
    recall: Type.Union([Recall, Type.Null()]),
    dossiers: Type.Array(
      Type.Object({
        dossierId: Type.String({ format: 'uuid' }),
        fileCode: Type.String(),
        ordinal: Type.Integer({ minimum: 1 }),
      }),
      {
        description:
          'The dossiers the document is filed in: FileCode (1.1–1.3) and DocOrdinal (2) of Phụ lục VI, filled by the system',
      },
    ),
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
export const ContentQuery = Type.Object(
  {
    version: Type.Optional(Type.Integer({ minimum: 1 })),
    purpose: Type.Optional(
      Type.Union([Type.Literal('read'), Type.Literal('download'), Type.Literal('print')], {
        description: 'Recorded in the access log; default read',
      }),
    ),
  },
  { additionalProperties: false },
);

// Corrections of client-supplied fields; direction and độ mật never change, and the fields that
// identify a registered document (type, the issuer's số/ký hiệu, date and issuer) are fixed once registered.
export const MetadataUpdate = Type.Partial(Type.Omit(DocumentMetadata, ['direction', 'secrecy']), {
  additionalProperties: false,
  minProperties: 1,
});
export type MetadataUpdate = Static<typeof MetadataUpdate>;
