import { randomUUID } from 'node:crypto';
import { PDFDocument } from 'pdf-lib';
import { AppError, requireRole, vietnamIsoDateTime } from '@vanthu/platform';
import type { Mutation } from '@vanthu/platform';
import { planAppearance } from '../appearance/place-appearance';
import { signPdf } from '../pades/pades-engine';
import { hsmSigner } from '../pades/signer';
import { verifyPdfSignatures } from '../pades/verify-signatures';
import { insertServiceSeal } from '../repositories/service-seals-repository';
import { resolveSeal } from '../signing-keys/resolve-seal';
import type { DocumentVersionInfo } from '../clients/documents-client';
import type { SigningContext } from '../context';
import { mapSigningErrors } from './map-signing-errors';
import { readPdfForSigning } from './read-pdf';
import { sha256Hex } from './signing-deps';
import { subjectText } from '../x509/certificate';

export type ServiceDocumentKind = 'monthly-report' | 'consultation-summary';
export type SealServiceDocumentInput =
  | { kind: 'monthly-report'; month: string; pdf: Buffer }
  | { kind: 'consultation-summary'; consultationId: string; documentId: string; version: number };
export type SealedServiceDocument = {
  id: string;
  agencyCode: string;
  kind: ServiceDocumentKind;
  /** monthly-report: the month it reports. */
  month?: string;
  /** consultation-summary: the consultation, and the document and version that were sealed. */
  consultationId?: string;
  documentId?: string;
  version?: number;
  level: 'B-LT';
  /** The sealed PDF, base64. */
  pdf: string;
  sha256: string;
  certificateSha256: string;
  certificateSubject: string;
  signedAt: string;
};

/**
 * Which service may have which of its own files sealed: the reporting service its monthly reports, the routing service
 * its consultations' summaries of answers, nothing else and nobody else. A user (even a clerk) seals through the
 * documents of the documents service instead.
 */
const allowedKinds: Record<string, ServiceDocumentKind[]> = {
  'service:reporting': ['monthly-report'],
  'service:routing': ['consultation-summary'],
};

/** The marker reporting writes in the Keywords of a monthly report's PDF (services/reporting, report-pdf.ts). */
export const monthlyReportKeywords = (agencyCode: string, month: string): string[] => [
  'vanthu-monthly-report',
  `agency=${agencyCode}`,
  `month=${month}`,
];

/** The marker routing writes in the Keywords of a consultation's summary (services/routing, consultation-pdfs.ts). */
export const consultationSummaryKeywords = (agencyCode: string, consultationId: string): string[] => [
  'vanthu-consultation-summary',
  `agency=${agencyCode}`,
  `consultation=${consultationId}`,
];

const refuse = (message: string): never => {
  throw new AppError('UNPROCESSABLE', `the file cannot be sealed: ${message}`, {
    errors: [{ field: 'pdf', message }],
  });
};

/** The file must declare itself exactly what `expected` says (its marker and every key=value), and nothing else. */
async function checkKeywords(pdf: Buffer, expected: string[], what: string): Promise<void> {
  let keywords: string[];
  try {
    const document = await PDFDocument.load(pdf, { updateMetadata: false });
    keywords = (document.getKeywords() ?? '').split(/\s+/).filter(Boolean);
  } catch (error) {
    return refuse(`not a PDF (${(error as Error).message})`);
  }
  const keys = new Set(expected.slice(1).map((k) => k.slice(0, k.indexOf('=') + 1)));
  const claims = keywords.filter((k) => k === expected[0] || [...keys].some((key) => k.startsWith(key)));
  if (claims.length !== expected.length || !expected.every((k) => claims.includes(k)))
    refuse(`it is not ${what} (Keywords: ${keywords.join(' ') || 'none'})`);
}

type ToSeal = {
  pdf: Buffer;
  /** What the seal's record says it sealed (the month; the consultation, document and version). */
  subject: string;
  appearanceText: (at: string) => string;
  reason: string;
  fields: Pick<SealedServiceDocument, 'month' | 'consultationId' | 'documentId' | 'version'>;
};

async function monthlyReport(input: { month: string; pdf: Buffer }, agencyCode: string): Promise<ToSeal> {
  await checkKeywords(
    input.pdf,
    monthlyReportKeywords(agencyCode, input.month),
    `the monthly report of ${agencyCode} for ${input.month}`,
  );
  const [year, month] = input.month.split('-') as [string, string];
  return {
    pdf: input.pdf,
    subject: input.month,
    appearanceText: (at) => `Báo cáo tháng ${month}/${year}, ${at}`,
    reason: `Báo cáo hằng tháng ${month}/${year} của ${agencyCode}`,
    fields: { month: input.month },
  };
}

/**
 * Routing's summary of a consultation's answers (tổng hợp ý kiến, docs/domain/directives.md, Đà Nẵng §2d), which it
 * stored in documents itself. Signing reads it from documents with routing's own identity (so only a document of the
 * agency that identity names is found at all) and seals it only when documents says routing made the document and
 * that very version, the version is the current one, and its Keywords declare it that agency's summary of that
 * consultation.
 */
async function consultationSummary(
  input: { consultationId: string; documentId: string; version: number },
  ctx: SigningContext,
): Promise<ToSeal> {
  const { identity } = ctx;
  const document = await ctx.signing.documents.getDocument(ctx.forward, input.documentId);
  if (document.agencyCode !== identity.agencyCode)
    throw new AppError('NOT_FOUND', `document ${input.documentId} not found`);
  // Documents records who made the document and each version (its Document schema's createdBy).
  const version = document.versions.find((v) => v.version === input.version) as
    (DocumentVersionInfo & { createdBy?: string }) | undefined;
  const madeBy = (who: unknown) => who === identity.userId;
  if (!madeBy(document.createdBy) || !version || !madeBy(version.createdBy))
    refuse(`document ${input.documentId} version ${input.version} is not a document ${identity.userId} made`);
  if (document.currentVersion !== input.version)
    throw new AppError(
      'CONFLICT',
      `version ${input.version} is not the current version (${document.currentVersion}) of document ${input.documentId}`,
    );
  const pdf = await ctx.signing.documents.getContent(ctx.forward, input.documentId, input.version);
  if (sha256Hex(pdf) !== version?.sha256)
    throw new AppError('SERVICE_UNAVAILABLE', 'documents served other bytes than its version record; try again', {
      retryAfterSeconds: 5,
    });
  await checkKeywords(
    pdf,
    consultationSummaryKeywords(identity.agencyCode, input.consultationId),
    `the summary of consultation ${input.consultationId} of ${identity.agencyCode}`,
  );
  return {
    pdf,
    subject: `${input.consultationId}/${input.documentId}@${input.version}`,
    appearanceText: (at) => `Tổng hợp ý kiến, ${at}`,
    reason: `Tổng hợp ý kiến thành viên của ${identity.agencyCode}`,
    fields: { consultationId: input.consultationId, documentId: input.documentId, version: input.version },
  };
}

/**
 * Seals a file that a service made itself with the organisation seal of the agency its identity assertion names
 * (service:<name>, scoped to one agency): the reporting service's monthly report of an agency (báo cáo hằng tháng,
 * docs/domain/directives.md, monthly reporting), which the agency sends to the Sở KH&CN under its organisation
 * signature, given as bytes; or the routing service's summary of a consultation's answers, named by the document and
 * version routing stored in documents. The file must declare itself that agency's report of that month (or summary of
 * that consultation) and carry no signature yet; it is sealed B-LT with the attachment appearance (NĐ 30/2020 Phụ lục
 * I.II.8.b: text, top right of page 1) and returned, and the seal is recorded. The bytes are not stored here: the
 * caller keeps them (routing stores the sealed summary as the document's next version).
 */
export async function sealServiceDocument(
  input: SealServiceDocumentInput,
  ctx: SigningContext,
): Promise<Mutation<SealedServiceDocument>> {
  const { identity, signing: deps } = ctx;
  requireRole(identity, 'service');
  if (!(allowedKinds[identity.userId] ?? []).includes(input.kind))
    throw new AppError('FORBIDDEN', `${identity.userId} may not have a ${input.kind} sealed`);
  const agencyCode = identity.agencyCode;
  const toSeal =
    input.kind === 'monthly-report' ? await monthlyReport(input, agencyCode) : await consultationSummary(input, ctx);
  const reader = readPdfForSigning(toSeal.pdf);
  if (verifyPdfSignatures(reader).length > 0) refuse('it is signed already; a service seals only a new file');
  return mapSigningErrors(() =>
    ctx.runInTransaction(async (tx) => {
      const seal = await resolveSeal(tx, agencyCode, deps, ctx.clock());
      if (!seal)
        throw new AppError(
          'UNPROCESSABLE',
          `agency ${agencyCode} has no active organisation seal key; its administrator generates one (POST /v1/signing-keys) and attaches the CA's certificate`,
        );
      const now = ctx.clock();
      const plan = await planAppearance(
        toSeal.pdf,
        { kind: 'attachment', text: toSeal.appearanceText(vietnamIsoDateTime(now)) },
        deps.fontPath,
      );
      const signer = hsmSigner(deps.hsm, seal.keyIdHex, seal.certificate, seal.chain, seal.scheme, deps.hash);
      const appended = await signPdf(
        reader,
        signer,
        { signingTime: now, reason: toSeal.reason },
        'B-LT',
        deps.pades,
        plan.builder,
      );
      const pdf = Buffer.concat([toSeal.pdf, appended]);
      const sealed: SealedServiceDocument = {
        id: randomUUID(),
        agencyCode,
        kind: input.kind,
        ...toSeal.fields,
        level: 'B-LT',
        pdf: pdf.toString('base64'),
        sha256: sha256Hex(pdf),
        certificateSha256: seal.certificate.sha256,
        certificateSubject: subjectText(seal.certificate),
        signedAt: now.toISOString(),
      };
      await insertServiceSeal(tx, {
        id: sealed.id,
        agencyCode,
        service: identity.userId,
        kind: input.kind,
        subject: toSeal.subject,
        level: sealed.level,
        inputSha256: sha256Hex(toSeal.pdf),
        sha256: sealed.sha256,
        certificateSha256: sealed.certificateSha256,
        keyIdHex: seal.keyIdHex,
        signedAt: sealed.signedAt,
      });
      return sealed;
    }),
  );
}
