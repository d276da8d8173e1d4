import { exchangeRecallAnsweredV1 } from '@vanthu/contracts';
import type { ExchangeRecallAnsweredV1 } from '@vanthu/contracts';
import { AppError, enqueueEvent, requireRole, vietnamIsoDateTime } from '@vanthu/platform';
import type { Mutation } from '@vanthu/platform';
import { eventSource } from '../../config';
import type { ClerkContext } from '../../context';
import { findExchange, lockExchange, setExchangeState } from '../../repositories/exchanges-repository';
import type { ExchangeRow } from '../../repositories/exchanges-repository';
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

/**
 * The clerk answers the issuer's recall, update or replacement (never applied silently): 15 agrees,
 * 16 refuses. Agreeing to a recall marks the incoming document revoked in documents first, in the
 * clerk's own name (kept for audit, hidden from processing; NĐ 30/2020 Điều 18.3), and only then is
 * 15 queued, so the issuer never hears "agreed" about a document still in processing here. An update
 * or replacement the clerk agrees to is recorded; the clerk applies it in documents.
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
  if (
    request.state === 'awaiting-answer' &&
    input.decision === 'agree' &&
    request.businessDocType === 1 &&
    request.documentId
  ) {
    if (!ctx.documents || !ctx.callerAssertion) {
      throw new AppError('SERVICE_UNAVAILABLE', 'the documents service is not configured', { retryAfterSeconds: 30 });
    }
    try {
      await ctx.documents.revokeIncomingDocument(
        { identity: ctx.callerAssertion, requestId: ctx.requestId },
        {
          documentId: request.documentId,
          reason: reason || `Đồng ý thu hồi theo yêu cầu của ${request.counterparts[0]?.organId ?? 'cơ quan gửi'}`,
          idempotencyKey: `exchange-answer-${request.id}`,
        },
      );
    } catch (error) {
      // Revoked already (by hand, or by this answer's earlier attempt): what the answer wants is true.
      if (!(error instanceof AppError && error.code === 'CONFLICT')) throw error;
    }
  }
  return ctx.runInTransaction(async (tx) => {
    const row = await lockExchange(tx, input.exchangeId, ctx.identity.agencyCode);
    assertAnswerable(row, input.exchangeId);
    const at = ctx.clock();
    const kind = kinds[row.businessDocType]!;
    const statusCode = input.decision === 'agree' ? '15' : '16';
    const description = reason || (input.decision === 'agree' ? `Đồng ý ${kind} văn bản` : `Từ chối ${kind} văn bản`);
    if (!responseReference(row)) throw new AppError('CONFLICT', `exchange ${row.id} names no document to answer`);
    await queueStatusReply(tx, row, statusCode, description, at);
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
