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
import type { SigningContext } from '../context';
import { mapSigningErrors } from './map-signing-errors';
import { readPdfForSigning } from './read-pdf';
import { certificateSha256, certificateSubject, sha256Hex } from './signing-deps';

export type ServiceDocumentKind = 'monthly-report';
export type SealServiceDocumentInput = { kind: ServiceDocumentKind; month: string; pdf: Buffer };
export type SealedServiceDocument = {
  id: string;
  agencyCode: string;
  kind: ServiceDocumentKind;
  month: string;
  level: 'B-LT';
  /** The sealed PDF, base64. */
  pdf: string;
  sha256: string;
  certificateSha256: string;
  certificateSubject: string;
  signedAt: string;
};

/**
 * Which service may have which of its own files sealed: the reporting service its monthly reports, nothing else
 * and nobody else. A user (even a clerk) seals through the documents of the documents service instead.
 */
const allowedKinds: Record<string, ServiceDocumentKind[]> = { 'service:reporting': ['monthly-report'] };

/** The marker reporting writes in the Keywords of a monthly report's PDF (services/reporting, report-pdf.ts). */
export const monthlyReportKeywords = (agencyCode: string, month: string): string[] => [
  'vanthu-monthly-report',
  `agency=${agencyCode}`,
  `month=${month}`,
];

const refuse = (message: string): never => {
  throw new AppError('UNPROCESSABLE', `the file cannot be sealed: ${message}`, {
    errors: [{ field: 'pdf', message }],
  });
};

/** The file must be the caller's own kind of document, for the agency and month it says, and not signed yet. */
async function checkMonthlyReport(pdf: Buffer, agencyCode: string, month: string): Promise<void> {
  let keywords: string[];
  try {
    const document = await PDFDocument.load(pdf, { updateMetadata: false });
    keywords = (document.getKeywords() ?? '').split(/\s+/).filter(Boolean);
  } catch (error) {
    return refuse(`not a PDF (${(error as Error).message})`);
  }
  const expected = monthlyReportKeywords(agencyCode, month);
  const claims = keywords.filter((k) => k === expected[0] || k.startsWith('agency=') || k.startsWith('month='));
  if (claims.length !== expected.length || !expected.every((k) => claims.includes(k)))
    refuse(`it is not the monthly report of ${agencyCode} for ${month} (Keywords: ${keywords.join(' ') || 'none'})`);
}

/**
 * Seals a file that a service made itself, not a document of the documents service, with the organisation seal of
 * the agency its identity assertion names (service:<name>, scoped to one agency): today only the reporting service's
 * monthly report of an agency (báo cáo hằng tháng, docs/domain/directives.md, monthly reporting), which the agency
 * sends to the Sở KH&CN under its organisation signature. The file must declare itself that agency's report of that
 * month and carry no signature yet; it is sealed B-LT with the attachment appearance (NĐ 30/2020 Phụ lục I.II.8.b:
 * text, top right of page 1) and returned, and the seal is recorded. The bytes are not stored here: the caller keeps
 * them.
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
  const reader = readPdfForSigning(input.pdf);
  if (verifyPdfSignatures(reader).length > 0) refuse('it is signed already; a service seals only a new file');
  await checkMonthlyReport(input.pdf, agencyCode, input.month);
  const [year, month] = input.month.split('-') as [string, string];
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
        input.pdf,
        { kind: 'attachment', text: `Báo cáo tháng ${month}/${year}, ${vietnamIsoDateTime(now)}` },
        deps.fontPath,
      );
      const signer = hsmSigner(deps.hsm, seal.keyIdHex, seal.certificate, seal.chain, seal.scheme, deps.hash);
      const appended = await signPdf(
        reader,
        signer,
        { signingTime: now, reason: `Báo cáo hằng tháng ${month}/${year} của ${agencyCode}` },
        'B-LT',
        deps.pades,
        plan.builder,
      );
      const pdf = Buffer.concat([input.pdf, appended]);
      const sealed: SealedServiceDocument = {
        id: randomUUID(),
        agencyCode,
        kind: input.kind,
        month: input.month,
        level: 'B-LT',
        pdf: pdf.toString('base64'),
        sha256: sha256Hex(pdf),
        certificateSha256: certificateSha256(seal.certificate),
        certificateSubject: certificateSubject(seal.certificate),
        signedAt: now.toISOString(),
      };
      await insertServiceSeal(tx, {
        id: sealed.id,
        agencyCode,
        service: identity.userId,
        kind: input.kind,
        subject: input.month,
        level: sealed.level,
        inputSha256: sha256Hex(input.pdf),
        sha256: sealed.sha256,
        certificateSha256: sealed.certificateSha256,
        keyIdHex: seal.keyIdHex,
        signedAt: sealed.signedAt,
      });
      return sealed;
    }),
  );
}
