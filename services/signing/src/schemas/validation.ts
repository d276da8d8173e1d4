import { Type } from '@sinclair/typebox';

const Nullable = <T extends ReturnType<typeof Type.String>>(t: T) => Type.Union([t, Type.Null()]);
const MainIndication = Type.Union(['TOTAL_PASSED', 'TOTAL_FAILED', 'INDETERMINATE'].map((k) => Type.Literal(k)));

const CertificateReport = Type.Object({
  subject: Type.String(),
  issuer: Type.String(),
  serialNumber: Type.String(),
  notBefore: Type.String({ format: 'date-time' }),
  notAfter: Type.String({ format: 'date-time' }),
  sha256: Type.String(),
  trustAnchor: Type.Boolean(),
  status: Type.Union(['good', 'revoked', 'unknown', 'not-checked'].map((k) => Type.Literal(k))),
  revokedAt: Nullable(Type.String({ format: 'date-time' })),
  revocationSource: Type.String({
    description: 'embedded-ocsp, embedded-crl, online-ocsp, online-crl, cache, none or trust-anchor',
  }),
});

const Change = Type.Object({
  revision: Type.Integer({ description: 'Zero-based revision that made the change' }),
  object: Type.Integer(),
  what: Type.String(),
  classification: Type.String({
    description: 'signature, dss, document-timestamp, form-fill, annotation, metadata, structural or other',
  }),
  allowed: Type.Boolean(),
  detail: Type.String(),
});

const VisualReport = Type.Object(
  {
    pages: Type.Array(Type.Integer(), { description: 'One-based pages rendered as signed and as now' }),
    pageBoxes: Type.Array(
      Type.Object({
        page: Type.Integer(),
        box: Type.Array(Type.Number(), {
          minItems: 4,
          maxItems: 4,
          description: 'The visible box (CropBox, else MediaBox), x1 y1 x2 y2 in points',
        }),
        rotate: Type.Integer({ description: 'The page /Rotate: 0, 90, 180 or 270' }),
      }),
      { description: 'Where the regions lie: each rendered page box, in the same space as the region rectangles' },
    ),
    regions: Type.Array(
      Type.Object({
        page: Type.Integer(),
        rect: Type.Array(Type.Number(), { minItems: 4, maxItems: 4, description: 'x1 y1 x2 y2 in points' }),
        explainedBy: Nullable(
          Type.String({ description: 'The allowed change whose rectangle holds it; null: unexplained' }),
        ),
      }),
    ),
    unchangedPages: Type.Optional(
      Type.Array(Type.Integer(), {
        description:
          'One-based pages a later change reaches that were not rendered: their content (as drawing operators), resources, annotations with appearances, boxes and rotation are equal as signed and as now. Absent in reports stored before this check existed',
      }),
    ),
    error: Nullable(Type.String()),
  },
  {
    description:
      'Pages rendered as signed and as now (pdftoppm) when a later change reaches what they show, unless the structural pre-check finds them drawn from equal inputs',
  },
);

const SignatureReport = Type.Object({
  fieldName: Type.String(),
  kind: Type.Union([Type.Literal('signature'), Type.Literal('document-timestamp')]),
  subFilter: Type.String(),
  indication: MainIndication,
  subIndication: Nullable(Type.String({ description: 'ETSI EN 319 102-1 sub-indication (DSS names)' })),
  reasons: Type.Array(Type.String()),
  signer: Type.Union([
    Type.Object({
      name: Type.String(),
      organisation: Nullable(Type.String()),
      serialNumber: Type.String(),
      issuer: Type.String(),
    }),
    Type.Null(),
  ]),
  workflowRole: Nullable(
    Type.String({
      description: 'initial, approval, issue, attachment, copy or digitisation when this service applied the signature',
    }),
  ),
  claimedSigningTime: Nullable(Type.String({ format: 'date-time' })),
  timestampTime: Nullable(Type.String({ format: 'date-time' })),
  level: Nullable(Type.String({ description: 'B-B, B-T, B-LT or B-LTA' })),
  certification: Type.Union([Type.Object({ permissions: Type.Integer() }), Type.Null()]),
  chain: Type.Array(CertificateReport),
  signedRevision: Type.Integer({ description: 'One-based revision the signature covers' }),
  revisions: Type.Integer(),
  coversWholeFile: Type.Boolean(),
  changesAfter: Type.Array(Change),
  visual: Type.Union([VisualReport, Type.Null()]),
  checks: Type.Array(Type.Object({ name: Type.String(), passed: Type.Boolean(), detail: Type.String() })),
});

export const ValidationReportSchema = Type.Object(
  {
    reportId: Type.Optional(Type.String({ format: 'uuid' })),
    sha256: Type.String(),
    sizeBytes: Type.Integer(),
    validationTime: Type.String({ format: 'date-time' }),
    revocationMode: Type.Union([Type.Literal('online'), Type.Literal('offline')]),
    verdict: MainIndication,
    verdictSubIndication: Nullable(Type.String()),
    verdictReason: Type.String(),
    revisions: Type.Integer(),
    signatures: Type.Array(SignatureReport),
    timings: Type.Record(Type.String(), Type.Number(), {
      description: 'Milliseconds per phase: parse, digest, cms, chain, revocation, modifications',
    }),
  },
  { $id: 'ValidationReport' },
);

export const ValidationRequest = Type.Object(
  {
    file: Type.String({ contentEncoding: 'binary', description: 'The PDF to validate' }),
    trustAnchors: Type.Optional(
      Type.String({ description: 'PEM certificates trusted for this request only, on top of the configured store' }),
    ),
    validationTime: Type.Optional(
      Type.String({ format: 'date-time', description: 'Validate as of this moment (ISO 8601)' }),
    ),
    revocation: Type.Optional(
      Type.Union([Type.Literal('online'), Type.Literal('offline')], {
        description:
          'online: ask OCSP responders and CRL distribution points, and fetch CA certificates missing from the file from AIA caIssuers URLs; offline: only data embedded in the file and the configured store',
      }),
    ),
  },
  { 'x-multipart': true },
);

export const ReportFormat = Type.Object({
  format: Type.Optional(
    Type.Union([Type.Literal('json'), Type.Literal('pdf')], { description: 'pdf: a readable Vietnamese report' }),
  ),
});
