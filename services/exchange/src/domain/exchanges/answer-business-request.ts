import { createHash, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import { exchangeRecallAnsweredV1, exchangeUpdateAppliedV1 } from '@vanthu/contracts';
import type { ExchangeRecallAnsweredV1, ExchangeUpdateAppliedV1 } from '@vanthu/contracts';
import { AppError, enqueueEvent, requireRole, vietnamIsoDateTime } from '@vanthu/platform';
import type { Mutation } from '@vanthu/platform';
import { eventSource } from '../../config';
import type { ClerkContext } from '../../context';
import { findExchange, lockExchange, setExchangeState } from '../../repositories/exchanges-repository';
import type { ExchangeRow } from '../../repositories/exchanges-repository';
import { enqueueHubJob } from '../../repositories/hub-jobs-repository';
import { carriedPdfFile } from './carried-pdf';
import type { CarriedPdfFile } from './carried-pdf';
import { messageFile, withParsedMessage } from './stored-message';
import { exchangeView } from './get-exchange';
import type { ExchangeView } from './get-exchange';
import { queueStatusReply, responseReference } from './status-replies';

export type AnswerBusinessRequestInput = { exchangeId: string; decision: 'agree' | 'refuse'; reason?: string };

const kinds: Record<number, string> = { 1: 'thu hồi', 2: 'cập nhật', 3: 'thay thế' };

function assertRequest(row: ExchangeRow | undefined, exchangeId: string): asserts row is ExchangeRow {
  if (!row || row.direction !== 'received' || row.businessDocType === 0) {
    throw new AppError('NOT_FOUND', `no received recall, update or replacement ${exchangeId} for this agency`);
  }
}

function assertAnswerable(row: ExchangeRow | undefined, exchangeId: string): asserts row is ExchangeRow {
  assertRequest(row, exchangeId);
  if (row.state !== 'awaiting-answer') {
    throw new AppError(
      'CONFLICT',
      `exchange ${exchangeId} was answered already (${row.answer?.decision ?? row.state})`,
    );
  }
}

/** The PDF an update carries, added as the next version unless a version with its SHA-256 is there already. */
async function addUpdateVersion(
  request: ExchangeRow,
  carried: CarriedPdfFile,
  ctx: ClerkContext,
): Promise<{ version: number; sha256: string }> {
  const documents = ctx.documents!;
  const caller = { identity: ctx.callerAssertion!, requestId: ctx.requestId };
  const hash = createHash('sha256');
  if (Buffer.isBuffer(carried.pdf)) hash.update(carried.pdf);
  else for await (const chunk of fs.createReadStream(carried.pdf.file)) hash.update(chunk as Buffer);
  const sha256 = hash.digest('hex');
  const current = await documents.getDocument(caller, request.documentId!);
  const already = current.versions.find((v) => v.sha256 === sha256);
  if (already) return { version: already.version, sha256 };
  const updated = await documents.addDocumentVersion(caller, {
    documentId: request.documentId!,
    basedOnVersion: current.currentVersion,
    pdf: carried.pdf,
    fileName: carried.fileName,
    idempotencyKey: `exchange-answer-${request.id}`,
  });
  return { version: updated.currentVersion, sha256 };
}

/**
 * What agreeing changes in documents, done in the clerk's own name before 15 is queued, so the issuer
 * never hears "agreed" about something not applied here: a recall revokes the incoming document (kept
 * for audit, hidden from processing; NĐ 30/2020 Điều 18.3); an update adds the PDF it carries as the
 * incoming document's next version (once: a version with the same SHA-256 means it was applied); a
 * replacement revokes the replaced incoming document, and the replacing one is created by a job.
 */
async function applyInDocuments(
  request: ExchangeRow,
  reason: string,
  ctx: ClerkContext,
): Promise<{ version?: number; sha256?: string }> {
  if (!ctx.documents || !ctx.callerAssertion) {
    throw new AppError('SERVICE_UNAVAILABLE', 'the documents service is not configured', { retryAfterSeconds: 30 });
  }
  const caller = { identity: ctx.callerAssertion, requestId: ctx.requestId };
  const issuer = request.counterparts[0]?.organId ?? 'cơ quan gửi';
  if (request.businessDocType === 2) {
    const file = await ctx.read((tx) => messageFile(tx, request.id, ctx));
    if (!file) throw new AppError('CONFLICT', `the update ${request.id} carries no PDF; refuse it with a reason`);
    // Parsed from its file; the PDF goes to documents from its attachment file, as a stream.
    return withParsedMessage(file, ctx, async (parsed) => {
      const carried = parsed.kind === 'edoc' ? carriedPdfFile(parsed.document) : undefined;
      if (!carried) throw new AppError('CONFLICT', `the update ${request.id} carries no PDF; refuse it with a reason`);
      return addUpdateVersion(request, carried, ctx);
    });
  }
  const why =
    request.businessDocType === 3
      ? `Được thay thế bởi văn bản ${request.edxmlDocumentId ?? ''} theo yêu cầu của ${issuer}`
      : `Đồng ý thu hồi theo yêu cầu của ${issuer}`;
  try {
    await ctx.documents.revokeIncomingDocument(caller, {
      documentId: request.documentId!,
      reason: (reason || why).slice(0, 1000),
      idempotencyKey: `exchange-answer-${request.id}`,
    });
  } catch (error) {
    // Revoked already (by hand, or by this answer's earlier attempt): what the answer wants is true.
    if (!(error instanceof AppError && error.code === 'CONFLICT')) throw error;
  }
  return {};
}

/**
 * The clerk answers the issuer's recall, update or replacement (never applied silently): 15 agrees,
 * 16 refuses. Agreeing applies the request in documents first (applyInDocuments), then queues 15.
 */
export async function answerBusinessRequest(
  input: AnswerBusinessRequestInput,
  ctx: ClerkContext,
): Promise<Mutation<ExchangeView>> {
  requireRole(ctx.identity, 'clerk');
  const reason = (input.reason ?? '').normalize('NFC').trim();
  if ([...reason].length > 1000 || (input.decision === 'refuse' && reason.length === 0)) {
    throw new AppError('VALIDATION_FAILED', 'a refusal needs a reason; a reason has at most 1,000 characters', {
      errors: [{ field: 'body.reason', message: 'required to refuse, at most 1,000 characters' }],
    });
  }
  const request = await ctx.read((tx) => findExchange(tx, input.exchangeId, ctx.identity.agencyCode));
  assertRequest(request, input.exchangeId);
  // An answered request goes on to the transaction, which replays an Idempotency-Key repeat or refuses.
  const applied =
    request.state === 'awaiting-answer' && input.decision === 'agree' && request.documentId
      ? await applyInDocuments(request, reason, ctx)
      : undefined;
  return ctx.runInTransaction(async (tx) => {
    const row = await lockExchange(tx, input.exchangeId, ctx.identity.agencyCode);
    assertAnswerable(row, input.exchangeId);
    const at = ctx.clock();
    const kind = kinds[row.businessDocType]!;
    const statusCode = input.decision === 'agree' ? '15' : '16';
    const description = reason || (input.decision === 'agree' ? `Đồng ý ${kind} văn bản` : `Từ chối ${kind} văn bản`);
    const related = row.relatedExchangeId ? await findExchange(tx, row.relatedExchangeId) : undefined;
    // A replacement carries a DocumentId of its own: the answer names the replaced document, as a recall's does.
    const about = row.businessDocType === 3 && related ? related : row;
    if (!responseReference(about)) throw new AppError('CONFLICT', `exchange ${row.id} names no document to answer`);
    await queueStatusReply(tx, row, statusCode, description, at, about);
    if (applied && related && (row.businessDocType === 2 || row.businessDocType === 3)) {
      if (row.businessDocType === 3) {
        // The replacing document becomes an incoming document of its own (01 to its sender, then 03–06).
        await enqueueHubJob(tx, {
          id: randomUUID(),
          exchangeId: row.id,
          kind: 'create-document',
          at,
          dedupeKey: `create:${row.id}`,
        });
      }
      const appliedEvent: ExchangeUpdateAppliedV1 = {
        exchangeId: row.id,
        relatedExchangeId: related.id,
        agencyCode: row.agencyCode,
        businessDocType: row.businessDocType,
        documentId: row.documentId!,
        ...(applied.version ? { version: applied.version, sha256: applied.sha256! } : {}),
        edxmlDocumentId: row.edxmlDocumentId!,
        replacedEdxmlDocumentId: related.edxmlDocumentId!,
        at: vietnamIsoDateTime(at),
      };
      await enqueueEvent(
        tx,
        exchangeUpdateAppliedV1,
        row.id,
        appliedEvent,
        { source: eventSource, requestId: ctx.requestId, agencyCode: row.agencyCode },
        ctx.topicPrefix,
      );
    }
    const updated = await setExchangeState(tx, row.id, {
      state: 'answered',
      at,
      answer: {
        decision: input.decision,
        reason: description,
        answeredBy: ctx.identity.userId,
        answeredAt: vietnamIsoDateTime(at),
      },
    });
    const data: ExchangeRecallAnsweredV1 = {
      exchangeId: row.id,
      agencyCode: row.agencyCode,
      side: 'recipient',
      documentId: row.documentId,
      edxmlDocumentId: row.edxmlDocumentId!,
      organId: row.agencyCode,
      statusCode,
      decision: input.decision,
      reason: description,
      at: vietnamIsoDateTime(at),
    };
    await enqueueEvent(
      tx,
      exchangeRecallAnsweredV1,
      row.id,
      data,
      { source: eventSource, requestId: ctx.requestId, agencyCode: row.agencyCode },
      ctx.topicPrefix,
    );
    return exchangeView(updated);
  });
}
