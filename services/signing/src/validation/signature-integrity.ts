// The checks of one signature over the file's own bytes: byte range, unique objects, an
// unambiguous cross-reference, the signature dictionary as signed, and the CMS or time-stamp token.
import { PdfFormatError, digestByteRange } from '@vanthu/pdf';
import type { PdfReader } from '@vanthu/pdf';
import { CmsProblem, checkCms, checkTimestampToken } from './cms-checks';
import type { DigestName } from './cms-checks';
import type { MainIndication, SubIndication } from './report';
import { Outcome } from './outcome';
import { canonical } from './pdf-graph';
import { checkByteRange } from './signature-fields';
import type { SignatureField } from './signature-fields';
import { kindOf, subFilterOf } from './signature-dictionary';
import type { SignatureState, Timings } from './signature-state';
import { timed } from './signature-state';
import type { DuplicateScan } from './xref-checks';
import { hybridConflict } from './xref-checks';

type Range = [number, number, number, number];

export function checkSignatureIntegrity(
  reader: PdfReader,
  field: SignatureField,
  duplicates: DuplicateScan,
  timings: Timings,
): SignatureState {
  const subFilter = subFilterOf(field.value);
  const state: SignatureState = {
    field,
    outcome: new Outcome(),
    kind: kindOf(field.value, subFilter),
    subFilter,
    signedRevision: -1,
    coversWholeFile: false,
    cms: null,
    docTimestamp: null,
  };
  const { outcome } = state;
  try {
    const br = timed(timings, 'parse', () => checkByteRange(reader, field));
    if (!br.ok) {
      outcome.check('byte-range', false, br.problem);
      outcome.fail('TOTAL_FAILED', 'FORMAT_FAILURE', br.problem);
      return state;
    }
    outcome.check('byte-range', true, `signed bytes [${br.range.join(' ')}]`);
    state.signedRevision = br.signedRevision;
    state.coversWholeFile = br.range[2] + br.range[3] === reader.size;
    timed(timings, 'parse', () => checkUniqueObjects(outcome, duplicates.upTo(br.signedRevision)));
    checkUnambiguousXref(reader, outcome, br.signedRevision);
    checkDictionaryAsSigned(reader, field, outcome, br.signedRevision);
    checkSignatureValue(reader, state, br.range, timings);
  } catch (error) {
    const failure = failureOf(error);
    outcome.check(failure.check, false, failure.reason);
    outcome.fail(failure.indication, failure.subIndication, failure.reason);
  }
  return state;
}

function checkUniqueObjects(outcome: Outcome, duplicates: number[]): void {
  const unique = outcome.check(
    'unique-objects',
    duplicates.length === 0,
    duplicates.length
      ? `object numbers defined twice in one revision: ${duplicates.slice(0, 10).join(', ')}`
      : 'each object defined once per revision',
  );
  if (!unique)
    outcome.fail(
      'TOTAL_FAILED',
      'FORMAT_FAILURE',
      'the signed revision defines the same object twice (collision attack)',
    );
}

function checkUnambiguousXref(reader: PdfReader, outcome: Outcome, signedRevision: number): void {
  if (!reader.revisions.slice(0, signedRevision + 1).some((_r, i) => hybridConflict(reader, i))) return;
  outcome.check(
    'unambiguous-xref',
    false,
    'a hybrid cross-reference section points the same object to different places',
  );
  outcome.fail('TOTAL_FAILED', 'FORMAT_FAILURE', 'the cross-reference data is ambiguous');
}

/** Spoofed signature dictionary (DSS-2802): /Reason, /Name, /M rewritten in a later revision. */
function checkDictionaryAsSigned(
  reader: PdfReader,
  field: SignatureField,
  outcome: Outcome,
  signedRevision: number,
): void {
  if (!field.valueRef) return;
  const signedValue = reader.objectAtRevision(field.valueRef.num, signedRevision);
  const same = canonical(reader, signedValue) === canonical(reader, field.value);
  const passed = outcome.check(
    'signature-dictionary-unchanged',
    same,
    same ? 'the signature dictionary is the one signed' : 'the signature dictionary was replaced after signing',
  );
  if (!passed)
    outcome.fail(
      'TOTAL_FAILED',
      'FORMAT_FAILURE',
      'the signature dictionary was rewritten in a later revision (spoofing)',
    );
}

function checkSignatureValue(reader: PdfReader, state: SignatureState, range: Range, timings: Timings): void {
  const { outcome, kind, subFilter } = state;
  const contents = state.field.contents ?? Buffer.alloc(0);
  const memo = new Map<DigestName, Buffer>();
  const documentDigest = (d: DigestName): Buffer => {
    let v = memo.get(d);
    if (!v) memo.set(d, (v = timed(timings, 'digest', () => digestByteRange(reader, range, d))));
    return v;
  };
  if (kind === 'document-timestamp') {
    state.docTimestamp = timed(timings, 'cms', () => checkTimestampToken(contents, documentDigest));
    outcome.check('document-timestamp', true, `time-stamped at ${state.docTimestamp.time.toISOString()}`);
  } else if (subFilter === 'ETSI.CAdES.detached' || subFilter === 'adbe.pkcs7.detached') {
    state.cms = timed(timings, 'cms', () => checkCms(contents, documentDigest, subFilter === 'ETSI.CAdES.detached'));
    outcome.check('cms', true, 'message digest and signature value verify');
    if (!state.cms.signedAttributesDerSorted)
      outcome.check(
        'signed-attributes-der-order',
        false,
        'the signed attributes are not in DER order; verified over the bytes as the signer encoded them (OpenSSL and Adobe accept this, EU DSS refuses it)',
      );
    if (state.cms.timestampProblem) outcome.check('signature-timestamp', false, state.cms.timestampProblem);
  } else {
    outcome.fail('TOTAL_FAILED', 'FORMAT_FAILURE', `signature sub-filter "${subFilter || 'none'}" is not supported`);
  }
}

type Failure = { check: string; indication: MainIndication; subIndication: SubIndication; reason: string };

const CMS_FAILURES: Record<CmsProblem['kind'], [MainIndication, SubIndication]> = {
  hash: ['TOTAL_FAILED', 'HASH_FAILURE'],
  crypto: ['TOTAL_FAILED', 'SIG_CRYPTO_FAILURE'],
  'no-signer-certificate': ['INDETERMINATE', 'NO_SIGNING_CERTIFICATE_FOUND'],
  format: ['TOTAL_FAILED', 'FORMAT_FAILURE'],
  // ETSI EN 319 102-1 §5.1.3: an algorithm outside the policy makes the result INDETERMINATE.
  'unsupported-algorithm': ['INDETERMINATE', 'CRYPTO_CONSTRAINTS_FAILURE'],
};

/** The indication a failed check stands for, by the error's type (never by its message). */
function failureOf(error: unknown): Failure {
  if (error instanceof CmsProblem) {
    const [indication, subIndication] = CMS_FAILURES[error.kind];
    return { check: 'cms', indication, subIndication, reason: error.message };
  }
  // A PdfFormatError is the file's structure failing; anything else is a file we cannot read either.
  const reason = error instanceof PdfFormatError || error instanceof Error ? error.message : String(error);
  return { check: 'structure', indication: 'TOTAL_FAILED', subIndication: 'FORMAT_FAILURE', reason };
}
