import { AppError, enqueueEvent, requireRole } from '@vanthu/platform';
import type { Mutation } from '@vanthu/platform';
import { documentIssuedV1 } from '@vanthu/contracts';
import type { DocumentIssuedV1 } from '@vanthu/contracts';
import { lockDocument, setStatus } from '../repositories/documents-repository';
import type { Document } from '../schemas/document';
import type { DocumentsContext } from '../context';
import { documentEventMeta } from './document-events';

/** Văn thư releases a registered outgoing document (NĐ 30/2020 Điều 14.4, 16); the current version is the one issued. */
export type IssueDocumentInput = { documentId: string };

export async function issueDocument(input: IssueDocumentInput, ctx: DocumentsContext): Promise<Mutation<Document>> {
  const { identity } = ctx;
  const { documentId } = input;
  requireRole(identity, 'clerk');
  const { result, replayed } = await ctx.runInTransaction(async (tx) => {
    const locked = await lockDocument(tx, identity.agencyCode, documentId);
    if (!locked) throw new AppError('NOT_FOUND', `document ${documentId} not found`);
    if (locked.direction !== 'outgoing') throw new AppError('UNPROCESSABLE', 'only outgoing documents are issued');
    if (locked.status !== 'registered')
      throw new AppError('CONFLICT', `document ${documentId} is ${locked.status}; register it before issuing`);
    const document = await setStatus(tx, locked, 'issued');
    const current = document.versions.find((v) => v.version === document.currentVersion);
    if (!document.registration || !current) throw new Error('issued document vanished inside its own transaction');
    const event: DocumentIssuedV1 = {
      documentId,
      agencyCode: identity.agencyCode,
      notation: document.registration.notation,
      documentIdentifier: document.registration.documentIdentifier,
      version: current.version,
      sha256: current.sha256,
      issuedBy: identity.userId,
      issuedAt: document.updatedAt,
    };
    await enqueueEvent(tx, documentIssuedV1, documentId, event, documentEventMeta(ctx), ctx.topicPrefix);
    return document;
  });
  return { result, replayed };
}
