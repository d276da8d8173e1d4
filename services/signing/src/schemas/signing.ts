import { Type } from '@sinclair/typebox';
import type { Static } from '@sinclair/typebox';

export const Level = Type.Union(
  [Type.Literal('B-B'), Type.Literal('B-T'), Type.Literal('B-LT'), Type.Literal('B-LTA')],
  {
    description: 'PAdES baseline level (ETSI EN 319 142-1)',
    default: 'B-LT',
  },
);
const Rect = Type.Object(
  {
    page: Type.Integer({ minimum: 0 }),
    x: Type.Number(),
    y: Type.Number(),
    width: Type.Number({ exclusiveMinimum: 0 }),
    height: Type.Number({ exclusiveMinimum: 0 }),
  },
  { additionalProperties: false, description: 'Page index (0-based) and rectangle in PDF points, origin bottom left' },
);

export const IdParams = Type.Object({ id: Type.String({ format: 'uuid' }) });

export const OrganisationSignatureRequest = Type.Object(
  {
    kind: Type.Union(
      [Type.Literal('issue'), Type.Literal('attachment'), Type.Literal('copy'), Type.Literal('digitisation')],
      {
        description:
          'issue: organisation seal after the approval (NĐ 30 Điều 32.2.d); attachment: separate-file attachment; copy: sao y / sao lục / trích sao; digitisation: scanned incoming document (TT 01/2019 Điều 6.2.c)',
      },
    ),
    level: Type.Optional(Level),
    basedOnVersion: Type.Optional(Type.Integer({ minimum: 1 })),
    notation: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 100,
        description: 'Số và ký hiệu when the document has no registration yet',
      }),
    ),
    copyForm: Type.Optional(Type.Union([Type.Literal('SAO Y'), Type.Literal('SAO LỤC'), Type.Literal('TRÍCH SAO')])),
    copyingAgency: Type.Optional(Type.String({ minLength: 1, maxLength: 300 })),
    reason: Type.Optional(Type.String({ maxLength: 300 })),
    location: Type.Optional(Type.String({ maxLength: 300 })),
    rect: Type.Optional(
      Type.Object(Rect.properties, {
        additionalProperties: false,
        description:
          'Where the appearance goes instead of the automatic placement (issue: the seal; attachment, copy: the text line; digitisation: the seal image): page index (0-based) and rectangle in PDF points, origin bottom left; must lie inside the page box (422 otherwise)',
      }),
    ),
  },
  { additionalProperties: false },
);
export type OrganisationSignatureRequest = Static<typeof OrganisationSignatureRequest>;

export const Signature = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    agencyCode: Type.String(),
    documentId: Type.String({ format: 'uuid' }),
    kind: Type.String(),
    level: Type.String(),
    signedVersion: Type.Integer(),
    version: Type.Integer(),
    sha256: Type.String(),
    fieldName: Type.String(),
    signerUserId: Type.Union([Type.String(), Type.Null()]),
    certificateSha256: Type.String(),
    certificateSubject: Type.String(),
    authorityPrefix: Type.Union([Type.String(), Type.Null()]),
    keyIdHex: Type.Union([Type.String(), Type.Null()]),
    sessionId: Type.Union([Type.String(), Type.Null()]),
    appearance: Type.Union([Rect, Type.Null()]),
    signedAt: Type.String({ format: 'date-time' }),
  },
  { $id: 'Signature', additionalProperties: false },
);

export const PrepareSessionRequest = Type.Object(
  {
    kind: Type.Union([Type.Literal('initial'), Type.Literal('approval'), Type.Literal('consultation-answer')], {
      description:
        "initial: ký nháy; approval: the signature of the person with authority; consultation-answer: a member's signed answer sheet of a consultation (lấy ý kiến), for any member with an activated certificate, one document, with routing's answerSheetClaim",
    }),
    step: Type.Optional(
      Type.Union([Type.Literal('content'), Type.Literal('format')], {
        description: 'For initials: content (unit leader, after ./.) or format (format checker, end of Nơi nhận)',
      }),
    ),
    level: Type.Optional(Level),
    scheme: Type.Optional(
      Type.Union([Type.Literal('rsa-pkcs1'), Type.Literal('rsa-pss'), Type.Literal('ecdsa')], { default: 'rsa-pkcs1' }),
    ),
    certificate: Type.Optional(
      Type.String({
        minLength: 100,
        description: 'Signer certificate, base64 DER or PEM; may instead be given at complete',
      }),
    ),
    authorityPrefix: Type.Optional(
      Type.Union(
        ['TM.', 'Q.', 'KT.', 'TL.', 'TUQ.'].map((p) => Type.Literal(p)),
        {
          description:
            "Approvals: the authority the leader signs under (NĐ 30/2020 Phụ lục I.II.7.b). Recorded with the signature, written as the signature's /Reason and printed at the top of the approval stamp, above the image: the document's own position line that starts with it (e.g. KT. CHỦ TỊCH), else the prefix followed by positionText, else the prefix alone.",
        },
      ),
    ),
    answerSheetClaim: Type.Optional(
      Type.String({
        minLength: 20,
        maxLength: 4000,
        description:
          "kind consultation-answer: the signingClaim routing gave with the answer sheet (POST /v1/consultations/{id}/answer-sheets). Signing checks it was made by routing with the service key, for the caller, in the caller's agency, for this very document, version and digest; otherwise 403.",
      }),
    ),
    signerName: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 200,
        description:
          'Deprecated and never printed as given: the printed name is the registered certificate holder (subject CN), or the signer directory entry when the certificate is only known at complete. A value that differs is refused (422); complete refuses a certificate of anyone other than the printed name.',
      }),
    ),
    positionText: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 200,
        description:
          'Approvals: which upper-case position line above the signer name bounds the image from above, e.g. CHỦ TỊCH when the block has several (TM. …, KT. CHỦ TỊCH, PHÓ CHỦ TỊCH). It only chooses the line; it is printed only after an authorityPrefix that no position line of the document starts with.',
      }),
    ),
    documents: Type.Array(
      Type.Object(
        {
          documentId: Type.String({ format: 'uuid' }),
          basedOnVersion: Type.Optional(Type.Integer({ minimum: 1 })),
          rect: Type.Optional(
            Type.Object(Rect.properties, {
              additionalProperties: false,
              description:
                'Explicit placement for this document, for initials and approvals alike (the answer to a 422 that could not find an anchor): page index (0-based) and rectangle in PDF points, origin bottom left; must lie inside the page box',
            }),
          ),
        },
        { additionalProperties: false },
      ),
      { minItems: 1, maxItems: 200 },
    ),
  },
  { additionalProperties: false },
);
export type PrepareSessionRequest = Static<typeof PrepareSessionRequest>;

export const PreparedSession = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    expiresAt: Type.String({ format: 'date-time' }),
    digestAlgorithm: Type.String(),
    items: Type.Array(
      Type.Object({
        documentId: Type.String({ format: 'uuid' }),
        version: Type.Integer(),
        dataToSign: Type.Union([Type.String(), Type.Null()], {
          description: 'base64 DER of the CMS signed attributes: sign these bytes (the token hashes them)',
        }),
        digest: Type.Union([Type.String(), Type.Null()], {
          description: 'base64 digest of dataToSign, for tokens that sign a pre-computed hash',
        }),
        documentDigest: Type.String({
          description: 'base64 digest of the signed byte ranges (the messageDigest attribute)',
        }),
      }),
    ),
  },
  { $id: 'PreparedSigningSession' },
);

export const CompleteSessionRequest = Type.Object(
  {
    certificateChain: Type.Optional(
      Type.Array(Type.String({ minLength: 100 }), {
        minItems: 1,
        maxItems: 10,
        description: 'base64 DER certificates, signer first',
      }),
    ),
    items: Type.Array(
      Type.Object(
        {
          documentId: Type.String({ format: 'uuid' }),
          signatureValue: Type.Optional(
            Type.String({
              minLength: 16,
              description: 'base64 signature over dataToSign (RSA PKCS#1 v1.5/PSS, ECDSA DER or raw r‖s)',
            }),
          ),
          cms: Type.Optional(
            Type.String({ minLength: 16, description: 'base64 CMS SignedData instead of a raw value' }),
          ),
        },
        { additionalProperties: false },
      ),
      { minItems: 1, maxItems: 200 },
    ),
  },
  { additionalProperties: false },
);
export type CompleteSessionRequest = Static<typeof CompleteSessionRequest>;

export const SessionResult = Type.Object(
  {
    sessionId: Type.String({ format: 'uuid' }),
    status: Type.Literal('completed'),
    results: Type.Array(
      Type.Object({
        documentId: Type.String({ format: 'uuid' }),
        outcome: Type.Union([Type.Literal('signed'), Type.Literal('failed')]),
        version: Type.Union([Type.Integer(), Type.Null()]),
        reason: Type.Union([Type.String(), Type.Null()]),
      }),
    ),
  },
  { $id: 'SigningSessionResult' },
);

export const RegisterCertificateRequest = Type.Object(
  { certificate: Type.String({ minLength: 100, description: 'base64 DER or PEM' }) },
  { additionalProperties: false },
);

/** What a certificate says about itself, as every certificate view shows it. */
export const certificateFacts = {
  sha256: Type.String(),
  subject: Type.String(),
  issuer: Type.String(),
  serialHex: Type.String(),
  notBefore: Type.String({ format: 'date-time' }),
  notAfter: Type.String({ format: 'date-time' }),
};

export const Certificate = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    agencyCode: Type.String(),
    userId: Type.String(),
    ...certificateFacts,
    status: Type.String({
      description:
        'registered (waiting for an administrator), active (may sign), unregistered (released; registrable again), suspended (revoked by its CA or expired)',
    }),
    registeredAt: Type.String({ format: 'date-time' }),
    activatedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
    activatedBy: Type.Union([Type.String(), Type.Null()]),
    suspendedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
    suspensionCause: Type.Union([Type.Literal('revoked'), Type.Literal('expired'), Type.Null()]),
    pem: Type.String(),
  },
  { $id: 'Certificate' },
);

export const UnregisterCertificateRequest = Type.Object(
  { reason: Type.Optional(Type.String({ maxLength: 500, description: 'Why it is released (recorded)' })) },
  { additionalProperties: false },
);

export const ReassignCertificateRequest = Type.Object(
  {
    toUserId: Type.String({ minLength: 1, maxLength: 200, description: 'The new holder (same agency)' }),
    reason: Type.String({ minLength: 1, maxLength: 500, description: 'Why it changes hands (recorded, required)' }),
  },
  { additionalProperties: false },
);

export const CertificateHistory = Type.Object({
  certificateId: Type.String({ format: 'uuid' }),
  holdings: Type.Array(
    Type.Object({
      agencyCode: Type.String(),
      userId: Type.String(),
      heldFrom: Type.String({ format: 'date-time' }),
      heldUntil: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
      endedBy: Type.Union([Type.String(), Type.Null()]),
      endedHow: Type.Union([Type.Literal('unregistered'), Type.Literal('reassigned'), Type.Null()]),
      endReason: Type.Union([Type.String(), Type.Null()]),
    }),
    { description: 'Who held the certificate when, oldest first' },
  ),
  events: Type.Array(
    Type.Object({
      action: Type.String({ description: 'registered, activated, unregistered, reassigned, suspended' }),
      actor: Type.String(),
      holder: Type.String(),
      previousHolder: Type.Union([Type.String(), Type.Null()]),
      reason: Type.Union([Type.String(), Type.Null()]),
      requestId: Type.Union([Type.String(), Type.Null()]),
      at: Type.String({ format: 'date-time' }),
    }),
    { description: 'The audit trail, oldest first' },
  ),
});

export const CertificateCheckResult = Type.Object({
  checked: Type.Integer(),
  suspended: Type.Array(
    Type.Object({
      certificateId: Type.String({ format: 'uuid' }),
      userId: Type.String(),
      cause: Type.Union([Type.Literal('revoked'), Type.Literal('expired')]),
    }),
  ),
  unchecked: Type.Array(Type.String({ format: 'uuid' }), {
    description: 'Certificates whose revocation status could not be fetched this time',
  }),
});

export const Adoption = Type.Array(
  Type.Object({ agencyCode: Type.String(), registeredUsers: Type.Integer(), activeUsers: Type.Integer() }),
);

export const KeyStatusResponse = Type.Object({
  token: Type.Union([Type.String(), Type.Null()]),
  online: Type.Boolean(),
  sessions: Type.Integer(),
  keys: Type.Array(
    Type.Object({
      id: Type.Union([Type.String({ format: 'uuid' }), Type.Null()], {
        description: 'The key generated through POST /v1/signing-keys; null for a key listed in the configuration',
      }),
      source: Type.Union([Type.Literal('api'), Type.Literal('configuration')]),
      inUse: Type.Boolean({ description: 'The key the agency seals with now (its newest active one)' }),
      agencyCode: Type.String(),
      keyIdHex: Type.String(),
      online: Type.Boolean(),
      certificateSubject: Type.String(),
      certificateNotAfter: Type.String({ format: 'date-time' }),
      daysToExpiry: Type.Integer(),
      usageCount: Type.Integer(),
      lastUsedAt: Type.Union([Type.String(), Type.Null()]),
    }),
  ),
});

export const ImageMetadata = Type.Object(
  {
    kind: Type.Union([Type.Literal('signature'), Type.Literal('seal'), Type.Literal('initial')]),
    widthMm: Type.Optional(Type.Number({ minimum: 10, maximum: 80, description: 'Real seal diameter in mm' })),
  },
  { additionalProperties: false },
);
export const ImageView = Type.Object({
  id: Type.String(),
  kind: Type.String(),
  owner: Type.String(),
  widthPx: Type.Integer(),
  heightPx: Type.Integer(),
  widthMm: Type.Union([Type.Number(), Type.Null()]),
  dominant: Type.String(),
});

/** What travels beside the edXML file in a signing request (the multipart part `metadata`, JSON). */
export const EdxmlSignatureMetadata = Type.Object(
  {
    documentId: Type.Optional(
      Type.String({
        format: 'uuid',
        description:
          'The issued document the message carries (the recalled one for a recall); required except for a status message',
      }),
    ),
    canonicalization: Type.Optional(
      Type.Union([Type.Literal('exclusive'), Type.Literal('inclusive')], {
        description: 'Exclusive C14N (default) or C14N 1.0, as the hub expects',
      }),
    ),
  },
  { additionalProperties: false },
);

export const EdxmlSignatureRequest = Type.Object(
  {
    file: Type.String({
      contentEncoding: 'binary',
      contentMediaType: 'application/xml',
      description:
        'The edXML message (QCVN 102:2016) as it will be sent, streamed: a document, a recall, or a status message',
    }),
    metadata: Type.String({
      contentMediaType: 'application/json',
      description: 'JSON of {documentId?, canonicalization?}',
    }),
  },
  { 'x-multipart': true },
);

export const EdxmlSignature = Type.Object({
  signatureXml: Type.String({
    description:
      'The enveloped XML-DSig <Signature> element, to be placed right after </edXML:TraceHeaderList> (after </edXML:MessageHeader> in a status message)',
  }),
  kind: Type.Union([Type.Literal('document'), Type.Literal('recall'), Type.Literal('status')], {
    description: 'What was signed: an edXML document (new, update, replacement), a recall, or a status message',
  }),
  signatureAlgorithm: Type.String(),
  canonicalization: Type.String(),
  certificateSha256: Type.String({
    pattern: '^[0-9a-f]{64}$',
    examples: ['e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'],
  }),
});

export const EdxmlSignerCheckRequest = Type.Object(
  {
    certificates: Type.Array(Type.String({ contentEncoding: 'base64', minLength: 1, maxLength: 64 * 1024 }), {
      minItems: 1,
      maxItems: 10,
      description: 'The X509Data of a received edXML signature, DER in base64, the signer first',
    }),
  },
  { additionalProperties: false },
);

export const EdxmlSignerCheck = Type.Object({
  status: Type.Union([Type.Literal('good'), Type.Literal('revoked'), Type.Literal('unknown')], {
    description: 'OCSP (else CRL) of every certificate of the signer’s chain; unknown when no responder answered',
  }),
  revokedAt: Type.Optional(Type.String({ format: 'date-time' })),
  reason: Type.Optional(Type.String()),
});
