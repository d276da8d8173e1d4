import { randomUUID } from 'node:crypto';
import { enqueueEvent } from '@vanthu/platform';
import type { Identity, TransactionRunner } from '@vanthu/platform';
import { documentCreatedV1, documentVersionAddedV1 } from '@vanthu/contracts';
import type { DocumentCreatedV1, DocumentVersionAddedV1 } from '@vanthu/contracts';
import { insertBlob, insertDocument } from '../repositories/documents-repository';
import type { Document, DocumentMetadata } from '../schemas/document';
import { checkTypeCode, normaliseStrings, refuseStateSecrets } from './check-document-metadata';
import { foldForSearch } from '../rules/search-text';
import { formFor } from '../organisations/form-policy';

export type StoredContent = { sha256: string; sizeBytes: number; mediaType: string; fileName: string | null };

export type CreateDocumentCommand = {
  identity: Identity;
  metadata: DocumentMetadata;
  /** The content, already durably in the blob store. */
  content: StoredContent;
  /** A PDF made from the content (DOCX drafts), stored as version 2 of kind `conversion`. */
  conversion?: StoredContent;
  /** Pages of the PDF (the upload or its conversion), counted by the system. */
  pageAmount?: number;
  requestId: string;
};

export type CreateDocumentDeps = { runInTransaction: TransactionRunner; topicPrefix: string; source: string };

/** The fields full-text search looks at (requirement: subject, number, notation, signer, text). */
export function searchTextOf(metadata: DocumentMetadata): string {
  return foldForSearch(
    [
      metadata.subject,
      metadata.codeNumber,
      metadata.codeNotation,
      metadata.signer?.fullName,
      metadata.description,
      metadata.sender?.organName,
    ]
      .filter(Boolean)
      .join(' '),
  );
}

/**
 * Stores a new document with its first version and announces it. The blob is already on
 * disk; the rows and the outbox event commit together or not at all.
 */
export async function createDocument(
  command: CreateDocumentCommand,
  deps: CreateDocumentDeps,
): Promise<{ document: Document; replayed: boolean }> {
  const { identity, content } = command;
  const metadata = normaliseStrings(command.metadata);
  refuseStateSecrets(metadata);
  const typeCode = checkTypeCode(metadata.typeCode);
  const { result, replayed } = await deps.runInTransaction(async (tx) => {
    const id = randomUUID();
    await insertBlob(tx, content);
    const { direction, subject, typeCode: _typeCode, urgency, secrecy: _secrecy, ...fields } = metadata;
    // Whether the document also travels on paper, from the agency's form policy at the time of creation.
    const deliveryForm = typeCode ? await formFor(tx, identity.agencyCode, typeCode) : undefined;
    if (command.conversion) await insertBlob(tx, command.conversion);
    const document = await insertDocument(tx, {
      id,
      agencyCode: identity.agencyCode,
      direction,
      subject,
      typeCode,
      // Phụ lục VI mục I.10: PageAmount is filled by the system when it can count the pages.
      metadata: {
        ...fields,
        urgency: urgency ?? 'normal',
        ...(deliveryForm ? { deliveryForm } : {}),
        ...(command.pageAmount ? { pageAmount: command.pageAmount } : {}),
      },
      searchText: searchTextOf(metadata),
      createdBy: identity.userId,
      // A DOCX draft's conversion is what gets signed and issued, so it is the current version from the start.
      versions: [
        { ...content, kind: 'upload' },
        ...(command.conversion ? [{ ...command.conversion, kind: 'conversion' }] : []),
      ],
    });
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
    const context = { source: deps.source, requestId: command.requestId, agencyCode: identity.agencyCode };
    await enqueueEvent(tx, documentCreatedV1, id, event, context, deps.topicPrefix);
    if (command.conversion) {
      const converted: DocumentVersionAddedV1 = {
        documentId: id,
        agencyCode: identity.agencyCode,
        version: 2,
        previousVersion: 1,
        kind: 'conversion',
        sha256: command.conversion.sha256,
        mediaType: command.conversion.mediaType,
        sizeBytes: command.conversion.sizeBytes,
        createdBy: identity.userId,
        createdAt: document.createdAt,
      };
      await enqueueEvent(tx, documentVersionAddedV1, id, converted, context, deps.topicPrefix);
    }
    return document;
  });
  return { document: result, replayed };
}
