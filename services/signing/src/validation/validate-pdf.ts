import { createHash } from 'node:crypto';
import { PdfFormatError, PdfReader } from '@vanthu/pdf';
import { displayNameOf, issuerText, organisationOf } from '../x509/certificate';
import { checkSignerChain, trustedDocumentTimestamps } from './chain-status';
import { documentSecurityStore, walkStructure } from './document-proofs';
import { analyseModifications } from './modification-analysis';
import type { Certification, FieldLock } from './modification-scope';
import { checkPagesAsSigned, judgeModifications, judgeRendering } from './modification-verdict';
import { iso, rank } from './outcome';
import type { RevisionChange, SignatureReport, ValidationReport, VisualReport } from './report';
import { pdfDate, textOf, transforms } from './signature-dictionary';
import { signatureFields } from './signature-fields';
import { checkSignatureIntegrity } from './signature-integrity';
import type { DocumentContext, SignatureState, Timings, ValidationOptions } from './signature-state';
import { timed } from './signature-state';
import { DEFAULT_VISUAL, checkRendering } from './visual-check';
import type { Gray, VisualOptions } from './visual-check';
import { DuplicateScan } from './xref-checks';

export type { ValidationOptions } from './signature-state';

/**
 * Validates every signature and document time-stamp of a PDF (ETSI EN 319 102-1 basic, with
 * time-stamp and long-term checks as far as the document's own proofs go) and the changes made
 * after each. Synchronous parsing work is bounded by the reader; callers run this in a worker.
 */
export async function validatePdf(bytes: Buffer, options: ValidationOptions): Promise<ValidationReport> {
  const timings: Timings = { parse: 0, digest: 0, cms: 0, chain: 0, revocation: 0, modifications: 0, rendering: 0 };
  const report = emptyReport(bytes, options, timings);
  let reader: PdfReader;
  let states: SignatureState[];
  let ctx: DocumentContext;
  try {
    reader = timed(timings, 'parse', () =>
      PdfReader.fromBuffer(bytes, { decodeCap: options.decodeCap ?? 32 * 1024 * 1024 }),
    );
    report.revisions = reader.revisions.length;
    timed(timings, 'parse', () => walkStructure(reader));
    const fields = timed(timings, 'parse', () => signatureFields(reader));
    const proofs = timed(timings, 'parse', () => documentSecurityStore(reader));
    const duplicates = new DuplicateScan(reader);
    states = fields.map((field) => checkSignatureIntegrity(reader, field, duplicates, timings));
    const { certification, locks } = permissions(reader, states);
    const changes = timed(timings, 'modifications', () => analyseModifications(reader, certification, locks));
    ctx = {
      options,
      changes,
      ...proofs,
      certification,
      locks,
      trustedDocTimestamps: [],
      visual: new Map(),
      time: timings,
    };
  } catch (error) {
    return failDocument(report, error);
  }
  if (options.visual !== false)
    ctx.visual = await renderings(bytes, reader, states, ctx.changes, options.visual, timings);
  options.onParsed?.();
  ctx.trustedDocTimestamps = await trustedDocumentTimestamps(states, ctx);
  for (const state of states) report.signatures.push(await finishSignature(reader, state, ctx));
  summarise(report);
  for (const k of Object.keys(timings)) timings[k] = Math.round((timings[k] ?? 0) * 100) / 100;
  return report;
}

function emptyReport(bytes: Buffer, options: ValidationOptions, timings: Timings): ValidationReport {
  return {
    sha256: createHash('sha256').update(bytes).digest('hex'),
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
}

/** One rendering comparison per signed revision that later changes reach; the final file's pages rendered once. */
async function renderings(
  bytes: Buffer,
  reader: PdfReader,
  states: SignatureState[],
  changes: RevisionChange[],
  visual: VisualOptions | undefined,
  timings: Timings,
): Promise<Map<number, VisualReport | null>> {
  const started = performance.now();
  const out = new Map<number, VisualReport | null>();
  const finalPages = new Map<number, Promise<Gray>>();
  for (const { signedRevision } of states)
    if (signedRevision >= 0 && !out.has(signedRevision))
      out.set(
        signedRevision,
        await checkRendering(bytes, reader, signedRevision, changes, visual ?? DEFAULT_VISUAL, finalPages),
      );
  timings.rendering = performance.now() - started;
  return out;
}

/** The earliest certification signature's DocMDP level and every FieldMDP lock, with the revisions they signed. */
function permissions(
  reader: PdfReader,
  states: SignatureState[],
): { certification: (Certification & { field: string }) | null; locks: (FieldLock & { field: string })[] } {
  let certification: (Certification & { field: string }) | null = null;
  const locks: (FieldLock & { field: string })[] = [];
  for (const state of states) {
    if (state.signedRevision < 0) continue;
    const { docMdp, lock } = transforms(reader, state.field.value);
    if (docMdp && state.kind === 'signature' && (!certification || certification.revision > state.signedRevision))
      certification = { permissions: docMdp, revision: state.signedRevision, field: state.field.fieldName };
    if (lock) locks.push({ ...lock, revision: state.signedRevision, field: state.field.fieldName });
  }
  return { certification, locks };
}

async function finishSignature(
  reader: PdfReader,
  state: SignatureState,
  ctx: DocumentContext,
): Promise<SignatureReport> {
  const { outcome, field } = state;
  const changesAfter = state.signedRevision < 0 ? [] : ctx.changes.filter((c) => c.revision > state.signedRevision);
  const report: SignatureReport = {
    fieldName: field.fieldName,
    kind: state.kind,
    subFilter: state.subFilter,
    indication: 'TOTAL_PASSED',
    subIndication: null,
    reasons: outcome.reasons,
    signer: null,
    workflowRole: null,
    claimedSigningTime: iso(state.cms?.claimedSigningTime ?? pdfDate(textOf(field.value.get('M')))),
    timestampTime: iso(state.cms?.timestamp?.time ?? state.docTimestamp?.time ?? null),
    level: null,
    certification: ctx.certification?.field === field.fieldName ? { permissions: ctx.certification.permissions } : null,
    chain: [],
    signedRevision: state.signedRevision + 1,
    revisions: reader.revisions.length,
    coversWholeFile: state.coversWholeFile,
    changesAfter,
    visual: ctx.visual.get(state.signedRevision) ?? null,
    checks: outcome.checks,
  };
  const signer = state.cms?.signer ?? state.docTimestamp?.tsa ?? null;
  if (signer)
    report.signer = {
      name: displayNameOf(signer),
      organisation: organisationOf(signer),
      serialNumber: signer.x509.serialNumber,
      issuer: issuerText(signer),
    };
  if (signer && outcome.indication.indication !== 'TOTAL_FAILED') await checkSignerChain(state, signer, report, ctx);
  checkPagesAsSigned(reader, state);
  judgeModifications(state, report, changesAfter, ctx);
  judgeRendering(state, report, ctx);
  report.indication = outcome.indication.indication;
  report.subIndication = outcome.indication.subIndication;
  return report;
}

/** The document's verdict is its weakest signature's; a file with no signature is INDETERMINATE. */
function summarise(report: ValidationReport): void {
  const worst = report.signatures.reduce<SignatureReport | undefined>(
    (w, s) => (!w || rank[s.indication] > rank[w.indication] ? s : w),
    undefined,
  );
  if (!worst) {
    report.verdict = 'INDETERMINATE';
    report.verdictReason = 'the document has no signature';
    return;
  }
  report.verdict = worst.indication;
  report.verdictSubIndication = worst.subIndication;
  report.verdictReason =
    worst.indication === 'TOTAL_PASSED'
      ? `all ${report.signatures.length} signature(s) passed`
      : `${worst.fieldName}: ${worst.reasons[0] ?? worst.subIndication ?? ''}`;
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
