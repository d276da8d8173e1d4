import { AppError, enqueueEvent } from '@vanthu/platform';
import type { Identity, TransactionRunner } from '@vanthu/platform';
import { dossierDocumentAddedV1 } from '@vanthu/contracts';
import type { DossierDocumentAddedV1 } from '@vanthu/contracts';
import { findDocument } from '../repositories/documents-repository';
import { findDossier, insertEntry, listEntries } from '../repositories/dossiers-repository';
import type { Dossier } from '../schemas/dossier';
import type { BlobStore } from '../storage/blob-store';
import { countPdfPages } from '../adapters/count-pdf-pages';

/**
 * Files a document in an open dossier under the next ordinal (DocOrdinal). The document is
 * referenced, never copied, so one document can sit in several dossiers (Phụ lục VI mục III.4).
 */
export async function addDocumentToDossier(
  command: { identity: Identity; dossierId: string; documentId: string; requestId: string },
  deps: { runInTransaction: TransactionRunner; blobs: BlobStore; topicPrefix: string; source: string },
): Promise<{ dossier: Dossier; replayed: boolean }> {
  const { identity, dossierId, documentId } = command;
  const { result, replayed } = await deps.runInTransaction(async (tx) => {
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
    const pages = current ? await countPdfPages(deps.blobs, current.sha256, current.mediaType) : 0;
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
    await enqueueEvent(
      tx,
      dossierDocumentAddedV1,
      dossierId,
      event,
      { source: deps.source, requestId: command.requestId, agencyCode: identity.agencyCode },
      deps.topicPrefix,
    );
    const updated = await findDossier(tx, identity.agencyCode, dossierId);
    if (!updated) throw new Error('dossier vanished inside its own transaction');
    return { ...updated, documents: await listEntries(tx, dossierId) };
  });
  return { dossier: result, replayed };
}
