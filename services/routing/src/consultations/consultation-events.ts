import { createHash } from 'node:crypto';
import { consultationClosedV1 } from '@vanthu/contracts';
import type { ConsultationClosedV1, EventDefinition } from '@vanthu/contracts';
import type { Tx } from '@vanthu/platform';
import { AppError } from '@vanthu/platform';
import {
  closeConsultation,
  findConsultation,
  findSummaryDocument,
  recordSummaryDocument,
  setConsultationSummary,
} from '../repositories/consultations-repository';
import type { ConsultationRecord } from '../repositories/consultations-repository';
import { emitFor } from '../domain/process-runtime';
import type { RoutingContext, StatementReader } from '../domain/routing-context';
import { renderConsultationSummary } from '../rendering/consultation-pdfs';

export async function emitConsultationEvent<T>(
  tx: Tx,
  ctx: RoutingContext,
  definition: EventDefinition,
  consultation: ConsultationRecord,
  data: T,
): Promise<void> {
  await emitFor(tx, ctx, definition, consultation, data);
}

/** Answers so far and the members who gave none. */
export function tallyOf(consultation: ConsultationRecord): {
  tally: ConsultationClosedV1['tally'];
  unanswered: string[];
} {
  const tally = { agree: 0, disagree: 0, comments: 0 };
  for (const member of consultation.members) if (member.answer) tally[member.answer] += 1;
  return { tally, unanswered: consultation.members.filter((m) => m.answer === null).map((m) => m.userId) };
}

/**
 * Closes an open consultation and announces the tally and who did not answer. The summary of answers (tổng hợp ý
 * kiến, docs/domain/directives.md seed 000 §2d) is written as a PDF, stored in documents with routing's service
 * identity and filed in the document's dossier when it has one, in the close's transaction: documents unreachable, the
 * close waits (503) rather than close without its summary.
 */
export async function closeWithTally(
  tx: Tx,
  ctx: RoutingContext,
  consultation: ConsultationRecord,
  reason: 'completion-rule' | 'closed-by-opener',
): Promise<void> {
  const at = ctx.clock();
  await closeConsultation(tx, { id: consultation.id, reason, at });
  // A closed consultation has no deadline left: its pending reminder and overdue timers go.
  if (ctx.timers) await ctx.timers.cancelConsultationTimers(tx, { consultationId: consultation.id });
  const summaryDocumentId = await fileSummary(tx, ctx, consultation, reason, at);
  const data: ConsultationClosedV1 = {
    consultationId: consultation.id,
    agencyCode: consultation.agencyCode,
    documentId: consultation.documentId,
    reason,
    ...tallyOf(consultation),
    dueAt: consultation.dueAt.toISOString(),
    closedAt: at.toISOString(),
    ...(summaryDocumentId ? { summaryDocumentId } : {}),
  };
  await emitConsultationEvent(tx, ctx, consultationClosedV1, consultation, data);
}

async function fileSummary(
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
  const pdf = await renderConsultationSummary({
    consultationId: current.id,
    question: current.question,
    documentSubject: document.subject,
    openedBy: nameOf(current.openedBy),
    openedAt: current.openedAt,
    dueAt: current.dueAt,
    closedAt,
    closeReason: reason,
    members: current.members.map((m) => ({ ...m, name: nameOf(m.userId) })),
  });
  const summaryId = await storeSummary(tx, ctx, credentials, current, pdf);
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
 * One summary document per consultation. The first attempt stores it and records its id at once (autocommit), so an
 * attempt whose transaction then fails leaves the id behind for the retry; the retry's summary, written later, has
 * other bytes and becomes the next version of that document instead of a second document. Same bytes: nothing new.
 */
async function storeSummary(
  tx: Tx,
  ctx: RoutingContext,
  credentials: { identity: string; requestId: string },
  consultation: ConsultationRecord,
  pdf: Buffer,
): Promise<string> {
  const sha256 = createHash('sha256').update(pdf).digest('hex');
  const aside: StatementReader = ctx.autocommit ?? ((work) => work(tx));
  const earlier = await aside((db) => findSummaryDocument(db, consultation.id));
  if (earlier) {
    const stored = await ctx.documents.getDocument(credentials, earlier);
    if (stored.versions.at(-1)?.sha256 !== sha256)
      await ctx.documents.addVersion(
        credentials,
        earlier,
        { basedOnVersion: stored.currentVersion, pdf, fileName: 'tong-hop-y-kien.pdf' },
        `routing-consultation-${consultation.id}-summary-v${stored.currentVersion + 1}-${sha256.slice(0, 32)}`,
      );
    return earlier;
  }
  const summary = await ctx.documents.createDocument(
    credentials,
    pdf,
    { direction: 'internal', subject: `Tổng hợp ý kiến: ${consultation.question}`.slice(0, 500) },
    // The same bytes again (a retry before the id was recorded) get the same document back from documents.
    `routing-consultation-${consultation.id}-summary-${sha256.slice(0, 32)}`,
    'tong-hop-y-kien.pdf',
  );
  await aside((db) => recordSummaryDocument(db, { consultationId: consultation.id, documentId: summary.id }));
  return summary.id;
}
