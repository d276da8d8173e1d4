import { randomUUID } from 'node:crypto';
import { enqueueEvent } from '@vanthu/platform';
import type { Identity, TransactionRunner } from '@vanthu/platform';
import { documentCreatedV1 } from '@vanthu/contracts';
import type { DocumentCreatedV1 } from '@vanthu/contracts';
import { findDocument, insertBlob, insertDocument, insertVersion } from '../repositories/documents-repository';
import type { Document, DocumentMetadata } from '../schemas/document';

export type CreateDocumentCommand = {
  identity: Identity;
  metadata: DocumentMetadata;
  /** The content, already durably in the blob store. */
  content: { sha256: string; sizeBytes: number; mediaType: string; fileName: string | null };
  requestId: string;
};

export type CreateDocumentDeps = { runInTransaction: TransactionRunner; topicPrefix: string; source: string };

/**
 * Stores a new document with its first version and announces it. The blob is already on
 * disk; the rows and the outbox event commit together or not at all.
 */
export async function createDocument(command: CreateDocumentCommand, deps: CreateDocumentDeps): Promise<{ document: Document; replayed: boolean }> {
  const { identity, metadata, content } = command;
  const { result, replayed } = await deps.runInTransaction(async (tx) => {
    const id = randomUUID();
    await insertBlob(tx, content);
    await insertDocument(tx, {
      id,
      agencyCode: identity.agencyCode,
      direction: metadata.direction,
      subject: metadata.subject.normalize('NFC'),
      metadata: { urgency: metadata.urgency ?? 'normal', description: metadata.description?.normalize('NFC') },
      createdBy: identity.userId,
    });
    await insertVersion(tx, { documentId: id, version: 1, ...content, kind: 'upload', createdBy: identity.userId });
    const document = await findDocument(tx, identity.agencyCode, id);
    if (!document) throw new Error('document vanished inside its own transaction');
    const event: DocumentCreatedV1 = {
      documentId: id,
      agencyCode: identity.agencyCode,
      direction: document.direction,
      subject: document.subject,
      version: 1,
      sha256: content.sha256,
      mediaType: content.mediaType,
      sizeBytes: content.sizeBytes,
      createdBy: identity.userId,
      createdAt: document.createdAt,
    };
    await enqueueEvent(tx, documentCreatedV1, id, event, { source: deps.source, requestId: command.requestId, agencyCode: identity.agencyCode }, deps.topicPrefix);
    return document;
  });
  return { document: result, replayed };
}
