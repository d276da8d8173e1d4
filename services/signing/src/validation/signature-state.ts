import type { Cert } from '../x509/certificate';
import type { CmsResult, TimestampResult } from './cms-checks';
import type { Certification, FieldLock } from './modification-scope';
import type { Outcome } from './outcome';
import type { RevisionChange, VisualReport } from './report';
import type { VisualOptions } from './visual-check';
import type { EmbeddedRevocation, RevocationOptions } from './revocation-check';
import type { SignatureField } from './signature-fields';
import type { SignatureKind } from './signature-dictionary';
import type { TrustStore } from './trust-store';

export type ValidationOptions = {
  trust: TrustStore;
  /** Validate as of this moment (ETSI EN 319 102-1 §5.6.2: past-time validation with POE). */
  validationTime: Date;
  revocation: RevocationOptions;
  /** What an unjustified change after a signature does: INDETERMINATE (default) or TOTAL_FAILED. */
  modificationPolicy: 'indeterminate' | 'failed';
  /** SHA-1 signatures are accepted only with proof of existence before this date; null: never. */
  sha1AcceptedUntil: Date | null;
  /** Decode cap per stream: deflate bombs stop here. */
  decodeCap?: number;
  /** Rendering comparison of pages later changes reach (pdftoppm); false: not done. Defaults to DEFAULT_VISUAL. */
  visual?: VisualOptions | false;
  /** Called when the file's own structure has been read and checked, before any network work. */
  onParsed?: () => void;
};

/** One signature or document time-stamp as far as its own bytes have been checked. */
export type SignatureState = {
  field: SignatureField;
  outcome: Outcome;
  kind: SignatureKind;
  subFilter: string;
  /** Index of the revision the signature covers; -1 when its byte range is unusable. */
  signedRevision: number;
  coversWholeFile: boolean;
  cms: CmsResult | null;
  docTimestamp: TimestampResult | null;
};

/** What the document as a whole contributes to each signature's validation. */
export type DocumentContext = {
  options: ValidationOptions;
  changes: RevisionChange[];
  embedded: EmbeddedRevocation;
  dssCerts: Cert[];
  certification: (Certification & { field: string }) | null;
  locks: (FieldLock & { field: string })[];
  trustedDocTimestamps: { time: Date; revision: number }[];
  /** Rendering comparisons by signed revision. */
  visual: Map<number, VisualReport | null>;
  time: Timings;
};

export type Timings = Record<string, number>;

/** Runs `f` and adds its duration to `timings[key]`. */
export function timed<T>(timings: Timings, key: string, f: () => T): T {
  const start = performance.now();
  try {
    return f();
  } finally {
    timings[key] = (timings[key] ?? 0) + performance.now() - start;
  }
}
