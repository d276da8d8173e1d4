// The validation report (ETSI EN 319 102-1 §5.1.3 indications; sub-indication names as in EU DSS's URNs).

export type MainIndication = 'TOTAL_PASSED' | 'TOTAL_FAILED' | 'INDETERMINATE';

export type SubIndication =
  | 'FORMAT_FAILURE'
  | 'HASH_FAILURE'
  | 'SIG_CRYPTO_FAILURE'
  | 'REVOKED'
  | 'REVOKED_NO_POE'
  | 'EXPIRED'
  | 'NOT_YET_VALID'
  | 'OUT_OF_BOUNDS_NO_POE'
  | 'NO_CERTIFICATE_CHAIN_FOUND'
  | 'NO_SIGNING_CERTIFICATE_FOUND'
  | 'TRY_LATER'
  | 'CRYPTO_CONSTRAINTS_FAILURE'
  | 'CRYPTO_CONSTRAINTS_FAILURE_NO_POE'
  | 'SIG_CONSTRAINTS_FAILURE'
  | 'POLICY_PROCESSING_ERROR';

export type Indication = { indication: MainIndication; subIndication: SubIndication | null };

export type CertificateReport = {
  subject: string;
  issuer: string;
  serialNumber: string;
  notBefore: string;
  notAfter: string;
  sha256: string;
  trustAnchor: boolean;
  status: 'good' | 'revoked' | 'unknown' | 'not-checked';
  revokedAt: string | null;
  /** Where the revocation answer came from. */
  revocationSource: 'embedded-ocsp' | 'embedded-crl' | 'online-ocsp' | 'online-crl' | 'cache' | 'none' | 'trust-anchor';
};

export type ChangeClass =
  'signature' | 'dss' | 'document-timestamp' | 'form-fill' | 'annotation' | 'metadata' | 'structural' | 'other';

export type RevisionChange = {
  revision: number;
  object: number;
  /** What the object is (page, catalog, font, content stream, …) as far as we can tell. */
  what: string;
  classification: ChangeClass;
  allowed: boolean;
  detail: string;
};

export type Check = { name: string; passed: boolean; detail: string };

/** A region (page space, points: x1 y1 x2 y2) where the page as signed and the page now render differently. */
export type VisualRegion = { page: number; rect: [number, number, number, number]; explainedBy: string | null };

/** The rendering comparison behind the change classification: pages rendered, regions that differ, pages found unchanged without rendering, or why it could not be done. */
export type VisualReport = {
  pages: number[];
  /** Each rendered page's visible box (CropBox, else MediaBox) in points and its /Rotate, so a reader can place the regions. */
  pageBoxes: VisualPageBox[];
  regions: VisualRegion[];
  /**
   * Pages a later change reaches that were not rendered: their content streams (as drawing
   * operators), resources, annotations with their appearances, boxes and rotation are equal as
   * signed and as now, so they draw the same (the structural pre-check). Absent in reports stored
   * before the pre-check existed.
   */
  unchangedPages?: number[];
  error: string | null;
};

export type VisualPageBox = { page: number; box: [number, number, number, number]; rotate: number };

export type SignatureReport = {
  fieldName: string;
  kind: 'signature' | 'document-timestamp';
  subFilter: string;
  indication: MainIndication;
  subIndication: SubIndication | null;
  /** Plain explanation of the indication, in the order the checks found it. */
  reasons: string[];
  signer: { name: string; organisation: string | null; serialNumber: string; issuer: string } | null;
  /** The step of our workflow this signature is, when it carries our markers. */
  workflowRole: 'initial' | 'approval' | 'issue' | 'attachment' | 'copy' | 'digitisation' | null;
  claimedSigningTime: string | null;
  timestampTime: string | null;
  level: 'B-B' | 'B-T' | 'B-LT' | 'B-LTA' | null;
  certification: { permissions: 1 | 2 | 3 } | null;
  chain: CertificateReport[];
  signedRevision: number;
  revisions: number;
  coversWholeFile: boolean;
  changesAfter: RevisionChange[];
  /** Null when no change after the signature reaches what a page shows. */
  visual: VisualReport | null;
  checks: Check[];
};

export type ValidationReport = {
  /** Set once the report is stored. */
  reportId?: string;
  sha256: string;
  sizeBytes: number;
  validationTime: string;
  revocationMode: 'online' | 'offline';
  /** One verdict for the document: the weakest of its signatures; a file with no signature is INDETERMINATE. */
  verdict: MainIndication;
  /** Set when the file itself fails (unreadable, loops, bombs): FORMAT_FAILURE. */
  verdictSubIndication: SubIndication | null;
  verdictReason: string;
  revisions: number;
  signatures: SignatureReport[];
  timings: Record<string, number>;
};
