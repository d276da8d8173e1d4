import { createHash } from 'node:crypto';
import type { Tx } from '@vanthu/platform';
import { AppError } from '@vanthu/platform';
import type { Credentials } from '../clients/documents-client';
import {
  findConsultation,
  recordSummaryDocument,
  reserveSummaryRequest,
  setConsultationSummary,
} from '../repositories/consultations-repository';
import type { ConsultationRecord } from '../repositories/consultations-repository';
import type { RoutingContext, StatementReader } from '../domain/routing-context';
import { renderConsultationSummary } from '../rendering/consultation-pdfs';
import type { ConsultationSummary } from '../rendering/consultation-pdfs';

const fileName = 'tong-hop-y-kien.pdf';
const sha256 = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');

/** What the summary says, as JSON: the first one asked for is kept so a retry can write exactly those bytes again. */
const toJson = (summary: ConsultationSummary): Record<string, unknown> => JSON.parse(JSON.stringify(summary));
const fromJson = (json: Record<string, unknown>): ConsultationSummary => {
  const summary = json as unknown as ConsultationSummary & Record<string, string>;
  const at = (value: unknown) => (value === null ? null : new Date(value as string));
  return {
    ...summary,
    openedAt: at(summary.openedAt) as Date,
    dueAt: at(summary.dueAt) as Date,
    closedAt: at(summary.closedAt) as Date,
    members: summary.members.map((m) => ({ ...m, answeredAt: at(m.answeredAt) })),
  };
};

/**
 * Writes the summary of answers (tổng hợp ý kiến, docs/domain/directives.md, Đà Nẵng §2d) of a consultation being
 * closed, stores it in documents with routing's service identity, has signing seal it with the agency's organisation
 * signature, stores the sealed file as its next version and files the summary in the document's dossier when it has
 * one; in the close's transaction, so documents or signing unreachable, the close waits (503) rather than close
 * without its sealed summary. Returns the summary's document id, or null in an app wired without routing's identity.
 */
export async function fileSummary(
  tx: Tx,
  ctx: RoutingContext,
  consultation: ConsultationRecord,
  reason: 'completion-rule' | 'closed-by-opener',
  closedAt: Date,
): Promise<string | null> {
  // Only an app wired without routing's service identity (the one that prints the API documents) has none.
  const identity = ctx.serviceIdentity?.(consultation.agencyCode);
  if (!identity) return null;
  const credentials = { identity, requestId: ctx.requestId };
  const current = (await findConsultation(tx, consultation.agencyCode, consultation.id)) ?? consultation;
  const document = await ctx.documents.getDocument(credentials, consultation.documentId);
  // Members are named as the agency's directory (documents' organisations, people) names them.
  const people = await ctx.documents.peopleOf(credentials, current.agencyCode);
  const nameOf = (userId: string): string => people.get(userId)?.fullName ?? userId;
  const summary: ConsultationSummary = {
    agencyCode: current.agencyCode,
    consultationId: current.id,
    question: current.question,
    documentSubject: document.subject,
    openedBy: nameOf(current.openedBy),
    openedAt: current.openedAt,
    dueAt: current.dueAt,
    closedAt,
    closeReason: reason,
    members: current.members.map((m) => ({
      userId: m.userId,
      name: nameOf(m.userId),
      answer: m.answer,
      comment: m.comment,
      answeredAt: m.answeredAt,
      signatureId: m.signatureId,
    })),
  };
  const summaryId = await storeSummary(tx, ctx, credentials, summary);
  await sealSummary(ctx, credentials, summaryId, summary);
  let dossierId: string | null = null;
  for (const { dossierId: candidate } of document.dossiers ?? []) {
    try {
      await ctx.documents.fileIntoDossier(
        credentials,
        candidate,
        summaryId,
        `routing-consultation-${current.id}-summary-${candidate}`,
      );
      dossierId = candidate;
      break;
    } catch (error) {
      // A closed dossier takes nothing more; the summary goes to the next of the document's dossiers, if any.
      if (!(error instanceof AppError && error.code === 'CONFLICT')) throw error;
    }
  }
  await setConsultationSummary(tx, current.id, { documentId: summaryId, dossierId });
  return summaryId;
}

/**
 * One summary document per consultation, even across a crash. Before documents is called, the summary the first
 * attempt writes is kept (autocommit, so a rolled-back or crashed close leaves it behind); every attempt that finds no
 * document id recorded writes that first summary again, the same bytes, under the consultation's one Idempotency-Key,
 * so documents gives back the document it stored before instead of a second one. The id is recorded (autocommit) when
 * documents answers.
 */
async function storeSummary(
  tx: Tx,
  ctx: RoutingContext,
  credentials: Credentials,
  summary: ConsultationSummary,
): Promise<string> {
  const aside: StatementReader = ctx.autocommit ?? ((work) => work(tx));
  const reserved = await aside((db) =>
    reserveSummaryRequest(db, { consultationId: summary.consultationId, firstSummary: toJson(summary) }),
  );
  if (reserved.documentId) return reserved.documentId;
  const first = reserved.firstSummary ? fromJson(reserved.firstSummary) : summary;
  const stored = await ctx.documents.createDocument(
    credentials,
    await renderConsultationSummary(first),
    { direction: 'internal', subject: `Tổng hợp ý kiến: ${summary.question}`.slice(0, 500) },
    `routing-consultation-${summary.consultationId}-summary`,
    fileName,
  );
  await aside((db) => recordSummaryDocument(db, { consultationId: summary.consultationId, documentId: stored.id }));
  return stored.id;
}

/**
 * Makes the summary document end with this summary sealed by the agency's organisation signature. The summary an
 * earlier attempt stored may say something else (that attempt closed at another time): this one becomes the next
 * version. A version already sealed over exactly these bytes (a retry after documents stored the seal) is left alone.
 */
async function sealSummary(
  ctx: RoutingContext,
  credentials: Credentials,
  documentId: string,
  summary: ConsultationSummary,
): Promise<void> {
  const pdf = await renderConsultationSummary(summary);
  const digest = sha256(pdf);
  let document = await ctx.documents.getDocument(credentials, documentId);
  const [previous, latest] = [document.versions.at(-2), document.versions.at(-1)];
  if (latest?.kind === 'signature' && previous?.sha256 === digest) return;
  if (latest?.sha256 !== digest)
    document = await ctx.documents.addVersion(
      credentials,
      documentId,
      { basedOnVersion: document.currentVersion, pdf, fileName, kind: 'upload' },
      `routing-consultation-${summary.consultationId}-summary-v${document.currentVersion + 1}-${digest.slice(0, 32)}`,
    );
  if (!ctx.signing) return;
  const version = document.currentVersion;
  const sealed = await ctx.signing.sealConsultationSummary(credentials, {
    consultationId: summary.consultationId,
    documentId,
    version,
  });
  await ctx.documents.addVersion(
    credentials,
    documentId,
    { basedOnVersion: version, pdf: sealed.pdf, fileName: 'tong-hop-y-kien-da-dong-dau.pdf', kind: 'signature' },
    `routing-consultation-${summary.consultationId}-summary-seal-v${version}`,
  );
}
