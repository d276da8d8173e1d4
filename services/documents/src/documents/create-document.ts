import { randomUUID } from 'node:crypto';
import type { Mutation } from '@vanthu/platform';
import { insertDocument } from '../repositories/documents-repository';
import { insertBlob } from '../repositories/blobs-repository';
import type { Document, DocumentMetadata } from '../schemas/document';
import { checkTypeCode, normaliseStrings, refuseStateSecrets } from './check-document-metadata';
import { foldForSearch } from '../rules/search-text';
import { formFor } from '../organisations/form-policy';
import { countPdfPages } from '../adapters/count-pdf-pages';
import type { DocumentsContext } from '../context';
import type { StoredUpload } from '../storage/blob-upload';
import { convertUpload } from './convert-upload';
import { announceDocumentCreated, announceVersionAdded } from './document-events';

export type StoredContent = { sha256: string; sizeBytes: number; mediaType: string; fileName: string | null };

export type CreateDocumentInput = {
  metadata: DocumentMetadata;
  /** The upload, already durably in the blob store (readUpload with blobUpload). */
  upload: StoredUpload;
};

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
 * Stores a new document with its first version and announces it. The upload is already in the blob store; a DOCX
 * draft is converted to PDF (kept as version 2) and the PDF's pages counted before the transaction, so the rows and
 * the outbox events commit together or not at all; the text indexer is woken afterwards.
 */
export async function createDocument(input: CreateDocumentInput, ctx: DocumentsContext): Promise<Mutation<Document>> {
  const { identity } = ctx;
  const { content, blob } = input.upload;
  const metadata = normaliseStrings(input.metadata);
  refuseStateSecrets(metadata);
  const typeCode = checkTypeCode(metadata.typeCode);
  const conversion = await convertUpload(blob, content, ctx);
  const pdf = conversion ?? content;
  const pageAmount = await countPdfPages(ctx.blobs, pdf.sha256, pdf.mediaType);
  const outcome = await ctx.runInTransaction(async (tx) => {
    const id = randomUUID();
    await insertBlob(tx, content);
    const { direction, subject, typeCode: _typeCode, urgency, secrecy: _secrecy, ...fields } = metadata;
    // Whether the document also travels on paper, from the agency's form policy at the time of creation.
    const deliveryForm = typeCode ? await formFor(tx, identity.agencyCode, typeCode) : undefined;
    if (conversion) await insertBlob(tx, conversion);
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
        ...(pageAmount ? { pageAmount } : {}),
      },
      searchText: searchTextOf(metadata),
      createdBy: identity.userId,
      // A DOCX draft's conversion is what gets signed and issued, so it is the current version from the start.
      versions: [{ ...content, kind: 'upload' }, ...(conversion ? [{ ...conversion, kind: 'conversion' }] : [])],
    });
    await announceDocumentCreated(tx, document, content, ctx);
    if (conversion)
      await announceVersionAdded(
        tx,
        { documentId: id, version: 2, kind: 'conversion', content: conversion, createdAt: document.createdAt },
        ctx,
      );
    return document;
  });
  ctx.textIndexer.signal();
  return outcome;
}
