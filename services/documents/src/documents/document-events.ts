import { enqueueEvent } from '@vanthu/platform';
import type { Tx } from '@vanthu/platform';
import { copyMadeV1, documentCreatedV1, documentVersionAddedV1 } from '@vanthu/contracts';
import type { CopyMadeV1, DocumentCreatedV1, DocumentVersionAddedV1 } from '@vanthu/contracts';
import type { DocumentsContext } from '../context';
import { insertCopy } from '../repositories/copies-repository';
import type { Document } from '../schemas/document';

// The announcements every way into documents makes (upload, new version, copy, digitisation), written once: each
// is enqueued in the transaction of the change it announces (ARCHITECTURE.md, events).

type Content = { sha256: string; sizeBytes: number; mediaType: string };

/** The CloudEvents metadata of a documents use case's events. */
export const documentEventMeta = (
  ctx: DocumentsContext,
): { source: string; requestId: string; agencyCode: string } => ({
  source: ctx.source,
  requestId: ctx.requestId,
  agencyCode: ctx.identity.agencyCode,
});

/** document.created for a new document whose version 1 is `content`. */
export async function announceDocumentCreated(
  tx: Tx,
  document: Document,
  content: Content,
  ctx: DocumentsContext,
): Promise<void> {
  const event: DocumentCreatedV1 = {
    documentId: document.id,
    agencyCode: ctx.identity.agencyCode,
    direction: document.direction,
    subject: document.subject,
    version: 1,
    sha256: content.sha256,
    mediaType: content.mediaType,
    sizeBytes: content.sizeBytes,
    createdBy: ctx.identity.userId,
    createdAt: document.createdAt,
  };
  await enqueueEvent(tx, documentCreatedV1, document.id, event, documentEventMeta(ctx), ctx.topicPrefix);
}

/** document.version.added for version `version` (of `kind`) on top of `version - 1`. */
export async function announceVersionAdded(
  tx: Tx,
  added: { documentId: string; version: number; kind: string; content: Content; createdAt: string },
  ctx: DocumentsContext,
): Promise<void> {
  const event: DocumentVersionAddedV1 = {
    documentId: added.documentId,
    agencyCode: ctx.identity.agencyCode,
    version: added.version,
    previousVersion: added.version - 1,
    kind: added.kind as DocumentVersionAddedV1['kind'],
    sha256: added.content.sha256,
    mediaType: added.content.mediaType,
    sizeBytes: added.content.sizeBytes,
    createdBy: ctx.identity.userId,
    createdAt: added.createdAt,
  };
  await enqueueEvent(tx, documentVersionAddedV1, added.documentId, event, documentEventMeta(ctx), ctx.topicPrefix);
}

/** What the copy row records besides the copy document, its agency and its maker. */
export type CopyRecord = Omit<Parameters<typeof insertCopy>[1], 'documentId' | 'agencyCode' | 'createdBy'>;

/** A new document that is a copy (NĐ 30/2020 Điều 25): its copy row, document.created and copy.made. */
export async function recordCopyDocument(
  tx: Tx,
  document: Document,
  content: Content,
  copy: CopyRecord,
  ctx: DocumentsContext,
): Promise<void> {
  const { agencyCode, userId } = ctx.identity;
  await insertCopy(tx, { documentId: document.id, agencyCode, ...copy, createdBy: userId });
  await announceDocumentCreated(tx, document, content, ctx);
  const made: CopyMadeV1 = {
    copyDocumentId: document.id,
    agencyCode,
    ...copy,
    sha256: content.sha256,
    createdBy: userId,
    createdAt: document.createdAt,
  };
  await enqueueEvent(tx, copyMadeV1, document.id, made, documentEventMeta(ctx), ctx.topicPrefix);
}
