import { AppError, enqueueEvent } from '@vanthu/platform';
import type { Mutation } from '@vanthu/platform';
import type { DocumentsContext } from '../context';
import { documentEventMeta } from '../documents/document-events';
import { dossierDocumentAddedV1 } from '@vanthu/contracts';
import type { DossierDocumentAddedV1 } from '@vanthu/contracts';
import { findDocument } from '../repositories/documents-repository';
import { findDossier, insertEntry, listEntries } from '../repositories/dossiers-repository';
import type { Dossier } from '../schemas/dossier';
import { countPdfPages } from '../adapters/count-pdf-pages';

/**
 * Files a document in an open dossier under the next ordinal (DocOrdinal). The document is
 * referenced, never copied, so one document can sit in several dossiers (Phụ lục VI mục III.4).
 */
export type AddDocumentToDossierInput = { dossierId: string; documentId: string };

export async function addDocumentToDossier(
  input: AddDocumentToDossierInput,
  ctx: DocumentsContext,
): Promise<Mutation<Dossier>> {
  const { identity } = ctx;
  const { dossierId, documentId } = input;
  return ctx.runInTransaction(async (tx) => {
    const dossier = await findDossier(tx, identity.agencyCode, dossierId, true);
    if (!dossier) throw new AppError('NOT_FOUND', `dossier ${dossierId} not found`);
    if (dossier.status !== 'open')
      throw new AppError(
        'CONFLICT',
        `dossier ${dossier.fileCode} is ${dossier.status}; documents are added only to open dossiers`,
      );
    const document = await findDocument(tx, identity.agencyCode, documentId);
    if (!document) {
      throw new AppError('UNPROCESSABLE', `document ${documentId} not found`, {
        errors: [{ field: 'body.documentId', message: 'no such document in this agency' }],
      });
    }
    if (document.status === 'revoked')
      throw new AppError('CONFLICT', `document ${documentId} was revoked by its issuer and is not filed`);
    const current = document.versions.find((v) => v.version === document.currentVersion);
    const pages = current ? await countPdfPages(ctx.blobs, current.sha256, current.mediaType) : 0;
    const entry = await insertEntry(tx, { dossierId, documentId, pages, addedBy: identity.userId });
    if (!entry) throw new AppError('CONFLICT', `document ${documentId} is already in dossier ${dossier.fileCode}`);
    const event: DossierDocumentAddedV1 = {
      dossierId,
      agencyCode: identity.agencyCode,
      fileCode: dossier.fileCode,
      documentId,
      ordinal: entry.ordinal,
      addedBy: identity.userId,
      addedAt: entry.addedAt,
    };
    await enqueueEvent(tx, dossierDocumentAddedV1, dossierId, event, documentEventMeta(ctx), ctx.topicPrefix);
    const updated = await findDossier(tx, identity.agencyCode, dossierId);
    if (!updated) throw new Error('dossier vanished inside its own transaction');
    return { ...updated, documents: await listEntries(tx, dossierId) };
  });
}
