import { AppError, enqueueEvent, requireRole } from '@vanthu/platform';
import type { Mutation } from '@vanthu/platform';
import { documentRecalledV1 } from '@vanthu/contracts';
import type { DocumentRecalledV1 } from '@vanthu/contracts';
import { lockDocument, setStatus } from '../repositories/documents-repository';
import type { Document } from '../schemas/document';
import type { DocumentsContext } from '../context';
import type { RecallRequest } from '../schemas/register';
import { documentEventMeta } from './document-events';

/**
 * Thu hồi (NĐ 30/2020 Điều 18.3; Phụ lục VI mục III.8). An issued outgoing document is frozen
 * with its metadata (status `recalled`: no new versions, no further changes). An incoming
 * document its issuer recalled becomes `revoked`: kept for audit, hidden from processing.
 * Either way the reason, who and when are recorded.
 */
export type RecallDocumentInput = { documentId: string; request: RecallRequest };

export async function recallDocument(input: RecallDocumentInput, ctx: DocumentsContext): Promise<Mutation<Document>> {
  const { identity } = ctx;
  const { documentId, request } = input;
  requireRole(identity, 'clerk');
  const { result, replayed } = await ctx.runInTransaction(async (tx) => {
    const locked = await lockDocument(tx, identity.agencyCode, documentId);
    if (!locked) throw new AppError('NOT_FOUND', `document ${documentId} not found`);
    const origin = request.origin ?? (locked.direction === 'incoming' ? 'issuer' : 'own');
    let status: 'recalled' | 'revoked';
    if (origin === 'own') {
      if (locked.direction !== 'outgoing' || locked.status !== 'issued') {
        throw new AppError(
          'CONFLICT',
          `only an issued outgoing document can be recalled by its agency; document ${documentId} is ${locked.direction} and ${locked.status}`,
        );
      }
      status = 'recalled';
    } else {
      if (locked.direction !== 'incoming')
        throw new AppError('UNPROCESSABLE', 'an issuer’s recall applies to incoming documents only', {
          errors: [{ field: 'body.origin', message: 'issuer recalls need an incoming document' }],
        });
      if (locked.status === 'revoked')
        throw new AppError('CONFLICT', `document ${documentId} was already revoked by its issuer`);
      status = 'revoked';
    }
    const recalledAt = ctx.clock().toISOString();
    const document = await setStatus(tx, locked, status, {
      recall: { reason: request.reason.normalize('NFC'), recalledAt, recalledBy: identity.userId, origin },
    });
    const event: DocumentRecalledV1 = {
      documentId,
      agencyCode: identity.agencyCode,
      direction: document.direction,
      status,
      notation: document.registration?.notation ?? null,
      reason: request.reason.normalize('NFC'),
      recalledBy: identity.userId,
      recalledAt,
    };
    await enqueueEvent(tx, documentRecalledV1, documentId, event, documentEventMeta(ctx), ctx.topicPrefix);
    return document;
  });
  return { result, replayed };
}
