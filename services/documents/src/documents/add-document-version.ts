import { AppError, enqueueEvent } from '@vanthu/platform';
import type { Identity, TransactionRunner } from '@vanthu/platform';
import { documentVersionAddedV1 } from '@vanthu/contracts';
import type { DocumentVersionAddedV1 } from '@vanthu/contracts';
import { addVersion, insertBlob, lockDocument } from '../repositories/documents-repository';
import type { Document, NewVersionMetadata } from '../schemas/document';

export type AddDocumentVersionCommand = {
  identity: Identity;
  documentId: string;
  metadata: NewVersionMetadata;
  content: { sha256: string; sizeBytes: number; mediaType: string; fileName: string | null };
  requestId: string;
};

/**
 * Adds the next immutable version. `basedOnVersion` must be the current one (optimistic
 * concurrency): a signature computed over version n can never be stored on top of n+1.
 */
export async function addDocumentVersion(
  command: AddDocumentVersionCommand,
  deps: { runInTransaction: TransactionRunner; topicPrefix: string; source: string },
): Promise<{ document: Document; replayed: boolean }> {
  const { identity, documentId, metadata, content } = command;
  const { result, replayed } = await deps.runInTransaction(async (tx) => {
    const locked = await lockDocument(tx, identity.agencyCode, documentId);
    if (locked === undefined) throw new AppError('NOT_FOUND', `document ${documentId} not found`);
    // NĐ 30/2020 Phụ lục VI mục III.8: a recalled document and its metadata are frozen.
    if (locked.status === 'recalled' || locked.status === 'revoked') {
      throw new AppError('CONFLICT', `document ${documentId} was recalled and is frozen; it takes no new versions`);
    }
    const current = locked.currentVersion;
    if (current !== metadata.basedOnVersion) {
      throw new AppError(
        'CONFLICT',
        `version ${metadata.basedOnVersion} is not the current version (${current}); fetch the current version and try again`,
      );
    }
    const version = current + 1;
    await insertBlob(tx, content);
    const document = await addVersion(tx, locked, {
      version,
      ...content,
      kind: metadata.kind,
      createdBy: identity.userId,
    });
    const stored = document.versions.find((v) => v.version === version);
    const event: DocumentVersionAddedV1 = {
      documentId,
      agencyCode: identity.agencyCode,
      version,
      previousVersion: current,
      kind: metadata.kind,
      sha256: content.sha256,
      mediaType: content.mediaType,
      sizeBytes: content.sizeBytes,
      createdBy: identity.userId,
      createdAt: stored?.createdAt ?? new Date().toISOString(),
    };
    await enqueueEvent(
      tx,
      documentVersionAddedV1,
      documentId,
      event,
      { source: deps.source, requestId: command.requestId, agencyCode: identity.agencyCode },
      deps.topicPrefix,
    );
    return document;
  });
  return { document: result, replayed };
}
