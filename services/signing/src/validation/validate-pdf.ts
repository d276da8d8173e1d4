import { createHash } from 'node:crypto';
import {
  PdfFormatError,
  PdfReader,
  PdfStream,
  digestByteRange,
  isArray,
  isDict,
  isName,
  isNumber,
  isRef,
} from '@vanthu/pdf';
import type { PdfDict, PdfObject } from '@vanthu/pdf';
import type { Cert } from './certificates';
import { commonNameOf, dnText, organisationOf, tryCert } from './certificates';
import { CmsProblem, checkCms, checkTimestampToken } from './cms-checks';
import type { CmsResult, DigestName, TimestampResult } from './cms-checks';
import { analyseModifications, canonical } from './modification-analysis';
import type { Certification, FieldLock } from './modification-analysis';
import type {
  CertificateReport,
  Check,
  Indication,
  MainIndication,
  RevisionChange,
  SignatureReport,
  SubIndication,
  ValidationReport,
} from './report';
import { revocationStatus } from './revocation-check';
import type { EmbeddedRevocation, RevocationOptions } from './revocation-check';
import { checkByteRange, duplicateObjects, signatureFields } from './signature-fields';
import type { SignatureField } from './signature-fields';
import { isAnchor } from './trust-store';
import { chainWithAia } from './aia-issuers';
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
  /** Called when the file's own structure has been read and checked, before any network work. */
  onParsed?: () => void;
};

const rank: Record<MainIndication, number> = { TOTAL_PASSED: 0, INDETERMINATE: 1, TOTAL_FAILED: 2 };
const iso = (d: Date | null | undefined): string | null => (d ? d.toISOString() : null);

class Outcome {
  indication: Indication = { indication: 'TOTAL_PASSED', subIndication: null };
  readonly reasons: string[] = [];
  readonly checks: Check[] = [];
  check(name: string, passed: boolean, detail: string): boolean {
    this.checks.push({ name, passed, detail });
    return passed;
  }
  fail(indication: MainIndication, sub: SubIndication, reason: string): void {
    this.reasons.push(reason);
    if (rank[indication] > rank[this.indication.indication]) this.indication = { indication, subIndication: sub };
  }
}

function streamsOf(reader: PdfReader, entry: PdfObject | undefined): Buffer[] {
  const list = reader.resolve(entry);
  if (!isArray(list)) return [];
  const out: Buffer[] = [];
  for (const item of list.slice(0, 5_000)) {
    try {
      const s = reader.resolve(item);
      if (s instanceof PdfStream) out.push(reader.streamData(s));
    } catch {
      // an unreadable DSS entry proves nothing; it is simply not used
    }
  }
  return out;
}

/** DocMDP and FieldMDP transforms declared in a signature dictionary's /Reference. */
function transforms(
  reader: PdfReader,
  value: PdfDict,
): { docMdp: 1 | 2 | 3 | null; lock: Omit<FieldLock, 'revision'> | null } {
  let docMdp: 1 | 2 | 3 | null = null;
  let lock: Omit<FieldLock, 'revision'> | null = null;
  const refs = reader.resolve(value.get('Reference'));
  for (const r of isArray(refs) ? refs : []) {
    const d = reader.resolveDict(r);
    const params = reader.resolveDict(d?.get('TransformParams'));
    if (isName(d?.get('TransformMethod'), 'DocMDP')) {
      const p = params?.get('P');
      docMdp = p === 1 || p === 3 ? p : 2;
    } else if (isName(d?.get('TransformMethod'), 'FieldMDP')) {
      const action = params?.get('Action');
      const fields = reader.resolve(params?.get('Fields'));
      lock = {
        action: isName(action, 'Include') ? 'Include' : isName(action, 'Exclude') ? 'Exclude' : 'All',
        fields: isArray(fields)
          ? fields.map((f) => (f && typeof f === 'object' && 'text' in f ? (f as { text(): string }).text() : ''))
          : [],
      };
    }
  }
  return { docMdp, lock };
}

const textOf = (o: PdfObject | undefined): string | null =>
  o && typeof o === 'object' && 'text' in o ? (o as { text(): string }).text() : null;

/** PDF date (D:YYYYMMDDHHmmSS+HH'mm') to a Date; null when unreadable. */
function pdfDate(text: string | null): Date | null {
  const m = text ? /^D:(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?([Zz+-])?(\d{2})?'?(\d{2})?/.exec(text) : null;
  if (!m) return null;
  const [, y, mo = '01', d = '01', h = '00', mi = '00', s = '00', sign, oh = '00', om = '00'] = m;
  const offset = sign === '+' || sign === '-' ? `${sign}${oh}:${om}` : 'Z';
  const date = new Date(`${y}-${mo}-${d}T${h}:${mi}:${s}${offset}`);
  return Number.isNaN(date.getTime()) ? null : date;
}

type Base = {
  field: SignatureField;
  outcome: Outcome;
  kind: 'signature' | 'document-timestamp';
  subFilter: string;
  signedRevision: number;
  coversWholeFile: boolean;
  cms: CmsResult | null;
  docTimestamp: TimestampResult | null;
};

/**
 * Validates every signature and document time-stamp of a PDF (ETSI EN 319 102-1 basic, with
 * time-stamp and long-term checks as far as the document's own proofs go) and the changes made
 * after each. Synchronous parsing work is bounded by the reader; callers run this in a worker.
 */
export async function validatePdf(bytes: Buffer, options: ValidationOptions): Promise<ValidationReport> {
  const timings: Record<string, number> = { parse: 0, digest: 0, cms: 0, chain: 0, revocation: 0, modifications: 0 };
  const time = <T>(key: string, f: () => T): T => {
    const start = performance.now();
    try {
      return f();
    } finally {
      timings[key] = (timings[key] ?? 0) + performance.now() - start;
    }
  };
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const report: ValidationReport = {
    sha256,
    sizeBytes: bytes.length,
    validationTime: options.validationTime.toISOString(),
    revocationMode: options.revocation.mode,
    verdict: 'INDETERMINATE',
    verdictSubIndication: null,
    verdictReason: '',
    revisions: 0,
    signatures: [],
    timings,
  };
  let reader: PdfReader;
  let fields: SignatureField[];
  let changes: RevisionChange[];
  let embedded: EmbeddedRevocation;
  let dssCerts: Cert[];
  let certification: (Certification & { field: string }) | null = null;
  const locks: (FieldLock & { field: string })[] = [];
  try {
    reader = time('parse', () => PdfReader.fromBuffer(bytes, { decodeCap: options.decodeCap ?? 32 * 1024 * 1024 }));
    report.revisions = reader.revisions.length;
    time('parse', () => walkStructure(reader));
    fields = time('parse', () => signatureFields(reader));
    const dss = time('parse', () => reader.resolveDict(reader.catalog().get('DSS')));
    embedded = { ocsps: streamsOf(reader, dss?.get('OCSPs')), crls: streamsOf(reader, dss?.get('CRLs')) };
    dssCerts = streamsOf(reader, dss?.get('Certs'))
      .map(tryCert)
      .filter((c): c is Cert => !!c);
  } catch (error) {
    return failDocument(report, error);
  }

  const bases: Base[] = [];
  const duplicatesByRevision = new Map<number, number[]>();
  for (const field of fields) {
    const outcome = new Outcome();
    const subFilter = isName(field.value.get('SubFilter'))
      ? (field.value.get('SubFilter') as { name: string }).name
      : '';
    const kind =
      subFilter === 'ETSI.RFC3161' || isName(field.value.get('Type'), 'DocTimeStamp')
        ? 'document-timestamp'
        : 'signature';
    const base: Base = {
      field,
      outcome,
      kind,
      subFilter,
      signedRevision: -1,
      coversWholeFile: false,
      cms: null,
      docTimestamp: null,
    };
    bases.push(base);
    try {
      const br = time('parse', () => checkByteRange(reader, field));
      if (!br.ok) {
        outcome.check('byte-range', false, br.problem);
        outcome.fail('TOTAL_FAILED', 'FORMAT_FAILURE', br.problem);
        continue;
      }
      outcome.check('byte-range', true, `signed bytes [${br.range.join(' ')}]`);
      base.signedRevision = br.signedRevision;
      base.coversWholeFile = br.range[2] + br.range[3] === reader.size;
      const duplicates: number[] = [];
      for (let r = 0; r <= br.signedRevision; r += 1) {
        let found = duplicatesByRevision.get(r);
        if (!found) duplicatesByRevision.set(r, (found = time('parse', () => duplicateObjects(reader, r))));
        duplicates.push(...found);
      }
      if (
        !outcome.check(
          'unique-objects',
          duplicates.length === 0,
          duplicates.length
            ? `object numbers defined twice in one revision: ${duplicates.slice(0, 10).join(', ')}`
            : 'each object defined once per revision',
        )
      ) {
        outcome.fail(
          'TOTAL_FAILED',
          'FORMAT_FAILURE',
          'the signed revision defines the same object twice (collision attack)',
        );
      }
      const hybrid = reader.revisions
        .slice(0, br.signedRevision + 1)
        .some((r) => r.hybridStreamOffset !== undefined && hybridConflict(reader, r));
      if (hybrid) {
        outcome.check(
          'unambiguous-xref',
          false,
          'a hybrid cross-reference section points the same object to different places',
        );
        outcome.fail('TOTAL_FAILED', 'FORMAT_FAILURE', 'the cross-reference data is ambiguous');
      }
      if (field.valueRef) {
        // Spoofed signature dictionary (DSS-2802): /Reason, /Name, /M rewritten in a later revision.
        const signedValue = reader.objectAtRevision(field.valueRef.num, br.signedRevision);
        const same = canonical(reader, signedValue) === canonical(reader, field.value);
        if (
          !outcome.check(
            'signature-dictionary-unchanged',
            same,
            same ? 'the signature dictionary is the one signed' : 'the signature dictionary was replaced after signing',
          )
        ) {
          outcome.fail(
            'TOTAL_FAILED',
            'FORMAT_FAILURE',
            'the signature dictionary was rewritten in a later revision (spoofing)',
          );
        }
      }
      const contents = field.contents ?? Buffer.alloc(0);
      const memo = new Map<DigestName, Buffer>();
      const documentDigest = (d: DigestName): Buffer => {
        let v = memo.get(d);
        if (!v) {
          v = time('digest', () => digestByteRange(reader, br.range, d));
          memo.set(d, v);
        }
        return v;
      };
      if (kind === 'document-timestamp') {
        base.docTimestamp = time('cms', () => checkTimestampToken(contents, documentDigest));
        outcome.check('document-timestamp', true, `time-stamped at ${base.docTimestamp.time.toISOString()}`);
      } else if (subFilter === 'ETSI.CAdES.detached' || subFilter === 'adbe.pkcs7.detached') {
        base.cms = time('cms', () => checkCms(contents, documentDigest, subFilter === 'ETSI.CAdES.detached'));
        outcome.check('cms', true, 'message digest and signature value verify');
        if (base.cms.timestampProblem) outcome.check('signature-timestamp', false, base.cms.timestampProblem);
      } else {
        outcome.fail(
          'TOTAL_FAILED',
          'FORMAT_FAILURE',
          `signature sub-filter "${subFilter || 'none'}" is not supported`,
        );
      }
    } catch (error) {
      if (error instanceof CmsProblem) {
        outcome.check('cms', false, error.message);
        if (error.kind === 'hash') outcome.fail('TOTAL_FAILED', 'HASH_FAILURE', error.message);
        else if (error.kind === 'crypto') outcome.fail('TOTAL_FAILED', 'SIG_CRYPTO_FAILURE', error.message);
        else if (error.kind === 'no-signer-certificate')
          outcome.fail('INDETERMINATE', 'NO_SIGNING_CERTIFICATE_FOUND', error.message);
        else outcome.fail('TOTAL_FAILED', 'FORMAT_FAILURE', error.message);
      } else {
        outcome.check('structure', false, (error as Error).message);
        outcome.fail('TOTAL_FAILED', 'FORMAT_FAILURE', (error as Error).message);
      }
    }
  }

  for (const base of bases) {
    if (base.signedRevision < 0) continue;
    const { docMdp, lock } = transforms(reader, base.field.value);
    if (docMdp && base.kind === 'signature' && (!certification || certification.revision > base.signedRevision))
      certification = { permissions: docMdp, revision: base.signedRevision, field: base.field.fieldName };
    if (lock) locks.push({ ...lock, revision: base.signedRevision, field: base.field.fieldName });
  }
  try {
    changes = time('modifications', () => analyseModifications(reader, certification, locks));
  } catch (error) {
    return failDocument(report, error);
  }

  options.onParsed?.();
  // Document time-stamps (and their trust) are proofs of existence for what they cover.
  const trustedDocTimestamps: { time: Date; revision: number }[] = [];
  for (const base of bases) {
    if (!base.docTimestamp || base.outcome.indication.indication !== 'TOTAL_PASSED') continue;
    const started = performance.now();
    const { chain } = await chainWithAia(
      base.docTimestamp.tsa,
      [...base.docTimestamp.certificates, ...dssCerts],
      options.trust,
      aiaSettings(options),
    );
    timings.chain = (timings.chain ?? 0) + performance.now() - started;
    if (chain) trustedDocTimestamps.push({ time: base.docTimestamp.time, revision: base.signedRevision });
  }

  for (const base of bases) {
    report.signatures.push(
      await finishSignature(reader, base, {
        options,
        changes,
        embedded,
        dssCerts,
        certification,
        locks,
        trustedDocTimestamps,
        time: timings,
        bases,
      }),
    );
  }
  const worst = report.signatures.reduce<SignatureReport | undefined>(
    (w, s) => (!w || rank[s.indication] > rank[w.indication] ? s : w),
    undefined,
  );
  if (!worst) {
    report.verdict = 'INDETERMINATE';
    report.verdictReason = 'the document has no signature';
  } else {
    report.verdict = worst.indication;
    report.verdictSubIndication = worst.subIndication;
    report.verdictReason =
      worst.indication === 'TOTAL_PASSED'
        ? `all ${report.signatures.length} signature(s) passed`
        : `${worst.fieldName}: ${worst.reasons[0] ?? worst.subIndication ?? ''}`;
  }
  for (const k of Object.keys(timings)) timings[k] = Math.round((timings[k] ?? 0) * 100) / 100;
  return report;
}

/**
 * Reads the page tree and decodes every page's content (capped): page-tree loops, reference
 * loops and decompression bombs on the document's own path surface here as FORMAT_FAILURE
 * instead of later in a viewer.
 */
function walkStructure(reader: PdfReader): void {
  // Encrypted content streams cannot be decoded without the key; the page tree is still walked.
  const decode = !reader.encrypted;
  for (const page of reader.pages()) {
    const contents = reader.resolve(page.dict.get('Contents'));
    const list = isArray(contents) ? contents : [page.dict.get('Contents')];
    for (const item of list.slice(0, 10_000)) {
      const stream = reader.resolve(item ?? null);
      if (decode && stream instanceof PdfStream) reader.streamData(stream);
    }
    reader.resolveDict(page.dict.get('Resources'));
  }
}

/** Missing issuers are fetched from AIA caIssuers URLs only when the network may be used (online mode). */
const aiaSettings = (options: ValidationOptions): { timeoutMs: number; cacheSeconds: number } | null =>
  options.revocation.mode === 'online'
    ? { timeoutMs: options.revocation.timeoutMs, cacheSeconds: options.revocation.cacheSeconds }
    : null;

function hybridConflict(reader: PdfReader, revision: PdfReader['revisions'][number]): boolean {
  // The reader lets the table win; an object the stream places elsewhere is read differently by other tools.
  try {
    const stream = reader.objectAt(revision.hybridStreamOffset as number).value;
    if (!(stream instanceof PdfStream)) return true;
    const table = reader.revisions.find((r) => r === revision);
    if (!table) return false;
    const w = stream.dict.get('W');
    if (!isArray(w) || w.length !== 3 || !w.every(isNumber)) return true;
    const data = reader.streamData(stream);
    const widths = w as number[];
    const row = widths.reduce((a, b) => a + b, 0);
    const index = isArray(stream.dict.get('Index'))
      ? (stream.dict.get('Index') as number[])
      : [0, Number(stream.dict.get('Size') ?? 0)];
    const field = (at: number, width: number): number => {
      let v = 0;
      for (let i = 0; i < width; i += 1) v = v * 256 + (data[at + i] ?? 0);
      return v;
    };
    let n = 0;
    for (let s = 0; s + 1 < index.length; s += 2) {
      for (let i = 0; i < Number(index[s + 1]); i += 1, n += 1) {
        const at = n * row;
        if (at + row > data.length) return true;
        const type = widths[0] === 0 ? 1 : field(at, widths[0] as number);
        if (type !== 1) continue;
        const offset = field(at + (widths[0] as number), widths[1] as number);
        const num = Number(index[s]) + i;
        const entry = table.entries.get(num);
        if (entry?.type === 'offset' && entry.offset !== offset) return true;
      }
    }
    return false;
  } catch {
    return true;
  }
}

function failDocument(report: ValidationReport, error: unknown): ValidationReport {
  report.verdict = 'TOTAL_FAILED';
  report.verdictSubIndication = 'FORMAT_FAILURE';
  report.verdictReason =
    error instanceof PdfFormatError
      ? `the file is not a readable PDF: ${error.message}`
      : `the file cannot be validated: ${(error as Error).message}`;
  return report;
}

type Context = {
  options: ValidationOptions;
  changes: RevisionChange[];
  embedded: EmbeddedRevocation;
  dssCerts: Cert[];
  certification: (Certification & { field: string }) | null;
  locks: (FieldLock & { field: string })[];
  trustedDocTimestamps: { time: Date; revision: number }[];
  time: Record<string, number>;
  bases: Base[];
};

function certificateReport(c: Cert, trust: TrustStore): CertificateReport {
  return {
    subject: dnText(c.x509.subject),
    issuer: dnText(c.x509.issuer),
    serialNumber: c.x509.serialNumber,
    notBefore: new Date(c.x509.validFrom).toISOString(),
    notAfter: new Date(c.x509.validTo).toISOString(),
    sha256: c.sha256,
    trustAnchor: isAnchor(trust, c),
    status: isAnchor(trust, c) ? 'good' : 'not-checked',
    revokedAt: null,
    revocationSource: isAnchor(trust, c) ? 'trust-anchor' : 'none',
  };
}

async function finishSignature(reader: PdfReader, base: Base, ctx: Context): Promise<SignatureReport> {
  const { outcome, field } = base;
  const { options } = ctx;
  const changesAfter = base.signedRevision < 0 ? [] : ctx.changes.filter((c) => c.revision > base.signedRevision);
  const report: SignatureReport = {
    fieldName: field.fieldName,
    kind: base.kind,
    subFilter: base.subFilter,
    indication: 'TOTAL_PASSED',
    subIndication: null,
    reasons: outcome.reasons,
    signer: null,
    workflowRole: null,
    claimedSigningTime: iso(base.cms?.claimedSigningTime ?? pdfDate(textOf(field.value.get('M')))),
    timestampTime: iso(base.cms?.timestamp?.time ?? base.docTimestamp?.time ?? null),
    level: null,
    certification: ctx.certification?.field === field.fieldName ? { permissions: ctx.certification.permissions } : null,
    chain: [],
    signedRevision: base.signedRevision + 1,
    revisions: reader.revisions.length,
    coversWholeFile: base.coversWholeFile,
    changesAfter,
    checks: outcome.checks,
  };
  const signer = base.cms?.signer ?? base.docTimestamp?.tsa ?? null;
  if (signer)
    report.signer = {
      name: commonNameOf(signer),
      organisation: organisationOf(signer),
      serialNumber: signer.x509.serialNumber,
      issuer: dnText(signer.x509.issuer),
    };
  if (signer && outcome.indication.indication !== 'TOTAL_FAILED') {
    const candidates = [...(base.cms?.certificates ?? base.docTimestamp?.certificates ?? []), ...ctx.dssCerts];
    const started = performance.now();
    const { chain, viaAia } = await chainWithAia(signer, candidates, options.trust, aiaSettings(options));
    ctx.time.chain = (ctx.time.chain ?? 0) + performance.now() - started;
    if (!chain) {
      outcome.check('certificate-chain', false, 'no chain from the signer certificate to a trust anchor');
      outcome.fail(
        'INDETERMINATE',
        'NO_CERTIFICATE_CHAIN_FOUND',
        `the certificate of ${commonNameOf(signer)} does not chain to a trusted root`,
      );
      report.chain = [certificateReport(signer, options.trust)];
    } else {
      const fetched = viaAia.length
        ? ` (${viaAia.map((v) => `${commonNameOf(v.cert)} fetched from ${v.url}`).join('; ')})`
        : '';
      outcome.check('certificate-chain', true, `${chain.map((c) => commonNameOf(c)).join(' → ')}${fetched}`);
      report.chain = chain.map((c) => certificateReport(c, options.trust));
      await checkChainStatus(base, chain, report, ctx);
    }
  }
  // Modifications after the signed revision (signing.md §2: Incremental Saving, shadow, EAA, SSA).
  const disallowed = changesAfter.filter((c) => !c.allowed);
  if (base.signedRevision >= 0) {
    outcome.check(
      'modifications',
      disallowed.length === 0,
      disallowed.length
        ? `${disallowed.length} change(s) after signing are not permitted`
        : changesAfter.length
          ? `${changesAfter.length} permitted change(s) after signing`
          : 'nothing changed after signing',
    );
    if (disallowed.length) {
      const first = disallowed[0] as RevisionChange;
      const certified = report.certification !== null;
      const lockedFieldChanged =
        ctx.locks.some((l) => l.field === field.fieldName) && disallowed.some((c) => c.classification === 'form-fill');
      if (certified || lockedFieldChanged)
        outcome.fail(
          'TOTAL_FAILED',
          'SIG_CONSTRAINTS_FAILURE',
          `${certified ? 'DocMDP' : 'FieldMDP'} permissions violated: ${first.detail} (revision ${first.revision + 1}, object ${first.object}, ${first.what})`,
        );
      else if (options.modificationPolicy === 'failed')
        outcome.fail(
          'TOTAL_FAILED',
          'SIG_CONSTRAINTS_FAILURE',
          `not permitted after signing: ${first.detail} (revision ${first.revision + 1}, object ${first.object}, ${first.what})`,
        );
      else
        outcome.fail(
          'INDETERMINATE',
          'SIG_CONSTRAINTS_FAILURE',
          `not permitted after signing: ${first.detail} (revision ${first.revision + 1}, object ${first.object}, ${first.what})`,
        );
    }
  }
  report.indication = outcome.indication.indication;
  report.subIndication = outcome.indication.subIndication;
  return report;
}

/** Validity periods, revocation, proof of existence, SHA-1 policy and the PAdES level. */
async function checkChainStatus(base: Base, chain: Cert[], report: SignatureReport, ctx: Context): Promise<void> {
  const { outcome } = base;
  const { options } = ctx;
  const signatureTimestamp = base.cms?.timestamp ?? null;
  let tsTrusted = false;
  if (signatureTimestamp) {
    tsTrusted = !!(
      await chainWithAia(
        signatureTimestamp.tsa,
        [...signatureTimestamp.certificates, ...ctx.dssCerts],
        options.trust,
        aiaSettings(options),
      )
    ).chain;
    outcome.check(
      'signature-timestamp',
      tsTrusted,
      tsTrusted
        ? `time-stamped at ${signatureTimestamp.time.toISOString()} by ${commonNameOf(signatureTimestamp.tsa)}`
        : 'the time-stamping authority does not chain to a trusted root',
    );
  }
  const laterDocTs = ctx.trustedDocTimestamps
    .filter((t) => t.revision >= base.signedRevision && t.revision >= 0)
    .sort((a, b) => a.time.getTime() - b.time.getTime());
  // Proof of existence: a trusted signature time-stamp, else the earliest trusted document time-stamp over it.
  const poe =
    (tsTrusted ? signatureTimestamp?.time : undefined) ??
    (base.kind === 'document-timestamp' ? base.docTimestamp?.time : laterDocTs[0]?.time);
  const at = poe ?? options.validationTime;
  if (at.getTime() > options.validationTime.getTime() + 5 * 60_000)
    outcome.fail('INDETERMINATE', 'OUT_OF_BOUNDS_NO_POE', 'the time-stamp lies after the validation time');
  const started = performance.now();
  let allEmbedded = true;
  for (let i = 0; i < chain.length; i += 1) {
    const cert = chain[i] as Cert;
    const entry = report.chain[i] as CertificateReport;
    if (entry.trustAnchor) continue;
    const notBefore = new Date(cert.x509.validFrom);
    const notAfter = new Date(cert.x509.validTo);
    if (at < notBefore)
      outcome.fail('TOTAL_FAILED', 'NOT_YET_VALID', `${commonNameOf(cert)}: not yet valid at ${at.toISOString()}`);
    else if (at > notAfter) {
      if (poe)
        outcome.fail(
          'TOTAL_FAILED',
          'EXPIRED',
          `${commonNameOf(cert)}: the certificate had expired (${notAfter.toISOString()}) when the signature was time-stamped`,
        );
      else
        outcome.fail(
          'INDETERMINATE',
          'OUT_OF_BOUNDS_NO_POE',
          `${commonNameOf(cert)}: the certificate expired on ${notAfter.toISOString()} and no time-stamp proves the signature existed before`,
        );
    }
    const issuer = chain[i + 1];
    if (!issuer) continue;
    const answer = await revocationStatus(cert, issuer, ctx.embedded, options.revocation);
    entry.status = answer.status;
    entry.revokedAt = iso(answer.revokedAt);
    entry.revocationSource = answer.source;
    if (answer.source !== 'embedded-ocsp' && answer.source !== 'embedded-crl') allEmbedded = false;
    if (answer.status === 'revoked') {
      const revokedAt = answer.revokedAt ?? options.validationTime;
      if (revokedAt.getTime() <= at.getTime()) {
        if (poe)
          outcome.fail(
            'TOTAL_FAILED',
            'REVOKED',
            `${commonNameOf(cert)}: revoked on ${revokedAt.toISOString()}, before the time-stamped signing time`,
          );
        else
          outcome.fail(
            'INDETERMINATE',
            'REVOKED_NO_POE',
            `${commonNameOf(cert)}: revoked on ${revokedAt.toISOString()}; no time-stamp proves the signature is older`,
          );
      }
    } else if (answer.status === 'unknown') {
      outcome.fail(
        'INDETERMINATE',
        'TRY_LATER',
        `${commonNameOf(cert)}: no revocation information ${options.revocation.mode === 'offline' ? 'is embedded (offline validation)' : 'could be obtained'}`,
      );
    }
  }
  ctx.time.revocation = (ctx.time.revocation ?? 0) + performance.now() - started;
  outcome.check(
    'revocation',
    report.chain.every((c) => c.status === 'good'),
    chain
      .map((c, i) => `${commonNameOf(c)}: ${report.chain[i]?.status} (${report.chain[i]?.revocationSource})`)
      .join('; '),
  );
  // Legacy SHA-1 (signing.md §6 item 18): explicit policy, accepted only with POE before the cut-off.
  const digest = base.cms?.digest ?? base.docTimestamp?.digest;
  if (digest === 'sha1') {
    const ok = options.sha1AcceptedUntil !== null && poe !== undefined && poe < options.sha1AcceptedUntil;
    outcome.check(
      'sha1-policy',
      ok,
      ok
        ? 'SHA-1 accepted: time-stamped before the configured cut-off'
        : 'SHA-1 is not accepted without proof of existence before the cut-off',
    );
    if (!ok) outcome.fail('INDETERMINATE', 'CRYPTO_CONSTRAINTS_FAILURE_NO_POE', 'the signature uses SHA-1');
  }
  if (base.kind === 'signature' && base.cms?.hasSigningCertificateV2 && base.subFilter === 'ETSI.CAdES.detached') {
    let level: SignatureReport['level'] = 'B-B';
    if (tsTrusted || laterDocTs.length) level = 'B-T';
    const dssRevision = firstDssRevision(ctx, base.signedRevision);
    if (level === 'B-T' && allEmbedded && dssRevision !== null) level = 'B-LT';
    if (level === 'B-LT' && laterDocTs.some((t) => t.revision >= (dssRevision as number))) level = 'B-LTA';
    report.level = level;
  }
}

function firstDssRevision(ctx: Context, after: number): number | null {
  const dss = ctx.changes.filter((c) => c.revision > after && c.classification === 'dss').map((c) => c.revision);
  return dss.length ? Math.min(...dss) : null;
}

export const isDictionary = isDict;
export const isReference = isRef;
