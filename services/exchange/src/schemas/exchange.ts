import { Type } from '@sinclair/typebox';
import type { Static } from '@sinclair/typebox';

const Str = Type.String();
const Opt = <T extends Parameters<typeof Type.Optional>[0]>(schema: T) => Type.Optional(schema);

const IsoDate = Type.String({ description: 'yyyy-MM-dd (written yyyy/MM/dd in edXML)' });
const VietnamTimestamp = Type.String({ description: 'ISO 8601 with +07:00 (written yyyy/MM/dd HH:mm:ss in edXML)' });

export const Organ = Type.Object(
  {
    organId: Type.String({ description: 'Mã định danh (String 13)' }),
    organizationInCharge: Opt(Str),
    organName: Opt(Str),
    organAdd: Opt(Str),
    email: Opt(Str),
    telephone: Opt(Str),
    fax: Opt(Str),
    website: Opt(Str),
  },
  { $id: 'EdxmlOrgan' },
);

const ResponseFor = Type.Object({ organId: Str, code: Str, promulgationDate: IsoDate, documentId: Str });
const StaffInfo = Type.Object({ department: Opt(Str), staff: Opt(Str), mobile: Opt(Str), email: Opt(Str) });

export const MessageHeader = Type.Object(
  {
    from: Type.Ref(Organ),
    to: Type.Array(Type.Ref(Organ)),
    documentId: Type.String({ description: '{OrganId},{yyyy/MM/dd},{số}/{ký hiệu}' }),
    code: Type.Object({ codeNumber: Str, codeNotation: Str }),
    promulgationInfo: Type.Object({ place: Opt(Str), promulgationDate: IsoDate }),
    documentType: Type.Object({ type: Str, typeDetail: Opt(Str), typeName: Opt(Str) }),
    subject: Str,
    content: Opt(Str),
    signerInfo: Opt(Type.Object({ competence: Opt(Str), position: Opt(Str), fullName: Opt(Str) })),
    dueDate: Opt(IsoDate),
    toPlaces: Type.Array(Str),
    otherInfo: Opt(
      Type.Object({
        priority: Opt(Type.Integer({ description: '0 thường, 1 khẩn, 2 thượng khẩn, 3 hỏa tốc, 4 hỏa tốc hẹn giờ' })),
        sphereOfPromulgation: Opt(Str),
        typerNotation: Opt(Str),
        promulgationAmount: Opt(Type.Integer()),
        pageAmount: Opt(Type.Integer()),
        direction: Opt(Type.Boolean()),
        appendixes: Type.Array(Str),
      }),
    ),
    responseFor: Type.Array(ResponseFor),
    steeringType: Opt(Str),
  },
  { $id: 'EdxmlMessageHeader' },
);

const Business = Type.Object({
  documentId: Opt(Str),
  businessDocType: Type.Integer({ description: 'BussinessDocType: 0 new, 1 recall, 2 update, 3 replace' }),
  businessDocReason: Opt(Str),
  paper: Opt(Str),
  staffInfo: Opt(StaffInfo),
  receivers: Type.Array(Type.Object({ organId: Str, receiverType: Type.Integer() })),
  replacements: Type.Array(Type.Object({ documentId: Str, organIds: Type.Array(Str) })),
});

export const ConformanceProblem = Type.Object(
  {
    rule: Type.String({ description: 'Stable rule name, e.g. edxml.prefix, edxml.to.unique' }),
    path: Str,
    message: Str,
    severity: Type.Union([Type.Literal('error'), Type.Literal('warning')], {
      description: 'error: the national hub refuses it; warning: tolerated on receipt',
    }),
  },
  { $id: 'EdxmlConformanceProblem' },
);

export const StatusMessage = Type.Object(
  {
    from: Type.Ref(Organ),
    responseFor: ResponseFor,
    staffInfo: Opt(StaffInfo),
    statusCode: Type.String({ description: '01…06, 13, 15, 16' }),
    description: Str,
    timestamp: VietnamTimestamp,
  },
  { $id: 'EdxmlStatusMessage' },
);

/** The XML-DSig signature of a message: integrity over the whole message, and its signer's chain to the trust store. */
export const SignatureInfo = Type.Object(
  {
    present: Type.Boolean(),
    namespace: Opt(Str),
    valid: Opt(Type.Boolean({ description: 'The signature verifies over the whole message with its X509Data key' })),
    reason: Opt(Type.String({ description: 'Why it does not verify' })),
    signatureAlgorithm: Opt(Str),
    canonicalization: Opt(Str),
    certificateSha256: Opt(
      Type.String({
        pattern: '^[0-9a-f]{64}$',
        examples: ['e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'],
      }),
    ),
    trusted: Opt(Type.Boolean({ description: 'The signer’s certificate chains to the trust store and is valid now' })),
    trustReason: Opt(Type.String({ description: 'Why the chain is not trusted' })),
    revocation: Opt(
      Type.Union([Type.Literal('good'), Type.Literal('revoked'), Type.Literal('unknown')], {
        description: 'The signer’s revocation state (OCSP, else CRL, over its chain), asked of the signing service',
      }),
    ),
    revokedAt: Opt(Type.String({ format: 'date-time' })),
  },
  { $id: 'SignatureInfo' },
);

export const EdxmlValidation = Type.Object(
  {
    conformant: Type.Boolean({ description: 'No error-severity problem' }),
    kind: Type.Union([Type.Literal('edoc'), Type.Literal('status'), Type.Literal('unreadable')]),
    sha256: Type.String({ description: 'SHA-256 of the message as received' }),
    header: Opt(Type.Ref(MessageHeader)),
    traceHeaders: Opt(Type.Array(Type.Object({ organId: Opt(Str), timestamp: VietnamTimestamp }))),
    business: Opt(Business),
    status: Opt(Type.Ref(StatusMessage)),
    attachments: Opt(
      Type.Array(
        Type.Object({
          contentId: Str,
          name: Str,
          contentType: Type.String({ description: 'As declared' }),
          size: Type.Integer(),
          sha256: Str,
          zipped: Type.Boolean({ description: 'Decided from the bytes (PK\\x03\\x04), not the declared type' }),
          entries: Opt(Type.Array(Type.Object({ name: Str, size: Type.Integer(), sha256: Str }))),
        }),
      ),
    ),
    signature: Opt(Type.Ref(SignatureInfo)),
    problems: Type.Array(Type.Ref(ConformanceProblem)),
  },
  { $id: 'EdxmlValidation' },
);
export type EdxmlValidation = Static<typeof EdxmlValidation>;

export const exchangeSchemas = [
  Organ,
  MessageHeader,
  ConformanceProblem,
  StatusMessage,
  SignatureInfo,
  EdxmlValidation,
];

const Nullable = <T extends Parameters<typeof Type.Optional>[0]>(schema: T) => Type.Union([schema, Type.Null()]);

export const ExchangeStatusEntry = Type.Object({
  direction: Type.Union([Type.Literal('sent'), Type.Literal('received')], {
    description: 'sent: this instance sent the status; received: a recipient sent it',
  }),
  organId: Type.String({ description: 'The organ whose status it is' }),
  statusCode: Type.String({ description: '01…06, 13, 15, 16' }),
  description: Str,
  at: Type.String({ format: 'date-time' }),
  transportId: Nullable(Str),
});

export const ExchangeLogEntry = Type.Object(
  {
    position: Type.Integer(),
    exchangeId: Str,
    agencyCode: Str,
    direction: Str,
    messageKind: Type.String({ description: 'edoc or status-NN' }),
    hub: Str,
    transportId: Nullable(Str),
    edxmlDocumentId: Nullable(Str),
    messageSha256: Str,
    outcome: Type.String({
      description:
        'accepted, already-held (the hub held the message from an earlier send whose answer was lost), refused:<code>, received, rejected, recorded',
    }),
    at: Type.String({ format: 'date-time' }),
    previousHash: Str,
    entryHash: Str,
  },
  { $id: 'ExchangeLogEntry' },
);

const exchangeProperties = {
  id: Type.String({ format: 'uuid' }),
  direction: Type.Union([Type.Literal('sent'), Type.Literal('received')]),
  agencyCode: Str,
  deliveryId: Nullable(Str),
  documentId: Nullable(Str),
  documentVersion: Nullable(Type.Integer()),
  hub: Str,
  edxmlDocumentId: Nullable(Str),
  businessDocType: Type.Integer({ description: '0 new, 1 recall, 2 update, 3 replace' }),
  counterparts: Type.Array(Type.Object({ organId: Str, organName: Opt(Str) })),
  state: Type.String({
    description:
      'queued, sent, failed, received, rejected (refused on receipt with 02), returned (the clerk returned it with 02), awaiting-answer (a recall, update or replacement waiting for the clerk), answered',
  }),
  transportId: Nullable(Type.String({ description: 'The hub’s DocId' })),
  edxmlSha256: Nullable(Str),
  problems: Type.Array(Type.Unknown()),
  lastError: Nullable(Str),
  createdAt: Type.String({ format: 'date-time' }),
  sentAt: Nullable(Type.String({ format: 'date-time' })),
  receivedAt: Nullable(Type.String({ format: 'date-time' })),
  relatedExchangeId: Nullable(
    Type.String({ format: 'uuid', description: 'For a recall, update or replacement: the original exchange' }),
  ),
  answer: Nullable(
    Type.Object({
      decision: Type.Union([Type.Literal('agree'), Type.Literal('refuse')]),
      reason: Str,
      answeredBy: Str,
      answeredAt: Type.String({ format: 'date-time' }),
    }),
  ),
  /** The XML-DSig signature: as verified on receipt (integrity, chain to the trust store) or as made on sending. */
  signature: Nullable(Type.Ref(SignatureInfo)),
};

export const ExchangeSummary = Type.Object(exchangeProperties, { $id: 'ExchangeSummary' });
export const ExchangeDetail = Type.Object(
  {
    ...exchangeProperties,
    statuses: Type.Array(ExchangeStatusEntry, { description: 'The whole trail, oldest first (append-only)' }),
    latestStatusByOrgan: Type.Array(ExchangeStatusEntry),
    log: Type.Array(Type.Ref(ExchangeLogEntry)),
  },
  { $id: 'ExchangeDetail' },
);
export const ExchangeList = Type.Object({ items: Type.Array(Type.Ref(ExchangeSummary)) });
export const ExchangeListQuery = Type.Object(
  {
    direction: Opt(Type.Union([Type.Literal('sent'), Type.Literal('received')])),
    limit: Opt(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
    before: Opt(Type.String({ format: 'date-time', description: 'Exchanges created before this instant' })),
  },
  { additionalProperties: false },
);
export const LogVerification = Type.Object(
  {
    valid: Type.Boolean(),
    entries: Type.Integer(),
    headHash: Str,
    firstBroken: Opt(Type.Object({ position: Type.Integer(), reason: Str })),
    anchors: Type.Integer({ description: 'RFC 3161 time-stamps of the chain head checked (at least hourly)' }),
    lastAnchor: Opt(
      Type.Object({
        position: Type.Integer(),
        headHash: Str,
        genTime: Type.String({ format: 'date-time', description: 'The TSA’s time' }),
        tsa: Str,
      }),
    ),
  },
  { $id: 'ExchangeLogVerification' },
);

export const exchangeReadSchemas = [ExchangeLogEntry, ExchangeSummary, ExchangeDetail, LogVerification];

export const ExchangeIdParams = Type.Object({ id: Type.String({ format: 'uuid' }) }, { additionalProperties: false });

export const ReturnRequest = Type.Object(
  {
    reason: Type.String({
      minLength: 1,
      maxLength: 1000,
      description: 'Why the document is returned (sent to the issuer with status 02)',
    }),
  },
  { additionalProperties: false },
);
export const AnswerRequest = Type.Object(
  {
    decision: Type.Union([Type.Literal('agree'), Type.Literal('refuse')], {
      description: 'agree: status 15 (a recall revokes the incoming document); refuse: status 16',
    }),
    reason: Type.Optional(Type.String({ maxLength: 1000, description: 'Required to refuse' })),
  },
  { additionalProperties: false },
);

const Reason = Type.String({
  minLength: 1,
  maxLength: 1000,
  description: 'Why (BussinessDocReason), shown to the recipients’ clerks',
});
export const UpdateRequest = Type.Object(
  {
    documentId: Type.String({ format: 'uuid', description: 'The issued document whose current version is sent' }),
    reason: Reason,
  },
  { additionalProperties: false },
);
export const ReplacementRequest = Type.Object(
  {
    documentId: Type.String({ format: 'uuid', description: 'The issued document that replaces the other' }),
    replacesDocumentId: Type.String({
      format: 'uuid',
      description: 'The document sent before through the hub, replaced at every recipient it reached',
    }),
    reason: Reason,
  },
  { additionalProperties: false },
);
