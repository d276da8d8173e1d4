import { AppError } from '@vanthu/platform';
import type { Mutation } from '@vanthu/platform';
import type { DocumentsContext } from '../context';
import { addVersion, lockDocument } from '../repositories/documents-repository';
import { insertBlob } from '../repositories/blobs-repository';
import { pdfMediaType } from '../rules/sniff-media-type';
import type { Document, NewVersionMetadata } from '../schemas/document';
import type { StoredUpload } from '../storage/blob-upload';
import { announceVersionAdded } from './document-events';

export type AddDocumentVersionInput = {
  documentId: string;
  metadata: NewVersionMetadata;
  /** The upload, already durably in the blob store (readUpload with blobUpload). */
  upload: StoredUpload;
};

/**
 * Adds the next immutable version. `basedOnVersion` must be the current one (optimistic
 * concurrency): a signature computed over version n can never be stored on top of n+1.
 */
export async function addDocumentVersion(
  input: AddDocumentVersionInput,
  ctx: DocumentsContext,
): Promise<Mutation<Document>> {
  const { identity } = ctx;
  const { documentId, metadata } = input;
  const { content, blob } = input.upload;
  if (content.mediaType !== pdfMediaType) {
    await ctx.blobs.discardCreated(blob);
    // A version is what gets signed and issued: it must be a PDF. DOCX drafts enter as new documents.
    throw new AppError(
      'UNSUPPORTED_MEDIA_TYPE',
      'a new version must be a PDF; upload DOCX drafts with POST /v1/documents to have them converted',
    );
  }
  const outcome = await ctx.runInTransaction(async (tx) => {
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
    await announceVersionAdded(
      tx,
      { documentId, version, kind: metadata.kind, content, createdAt: stored?.createdAt ?? ctx.clock().toISOString() },
      ctx,
    );
    return document;
  });
  ctx.textIndexer.signal();
  return outcome;
}
