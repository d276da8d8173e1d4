import { AppError, enqueueEvent } from '@vanthu/platform';
import type { Identity, TransactionRunner } from '@vanthu/platform';
import { documentMetadataUpdatedV1 } from '@vanthu/contracts';
import type { DocumentMetadataUpdatedV1 } from '@vanthu/contracts';
import { findDocument, lockDocument } from '../repositories/documents-repository';
import type { Document, DocumentMetadata, MetadataUpdate } from '../schemas/document';
import { checkTypeCode, normaliseStrings } from './check-document-metadata';
import { searchTextOf } from './create-document';
import { foldForSearch } from './search-text';

// Once registered, these identify the document (its số/ký hiệu and mã định danh derive from them).
const fixedOnceRegistered = ['typeCode', 'codeNumber', 'codeNotation', 'issuedDate', 'sender'] as const;

/**
 * Corrects metadata fields. A recalled or revoked document is frozen with its metadata
 * (NĐ 30/2020 Phụ lục VI mục III.8) and refuses every change.
 */
export async function updateDocumentMetadata(
  command: { identity: Identity; documentId: string; update: MetadataUpdate; requestId: string },
  deps: { runInTransaction: TransactionRunner; topicPrefix: string; source: string },
): Promise<{ document: Document; replayed: boolean }> {
  const { identity, documentId } = command;
  const update = normaliseStrings(command.update);
  const typeCode = update.typeCode === undefined ? undefined : checkTypeCode(update.typeCode);
  const { result, replayed } = await deps.runInTransaction(async (tx) => {
    const locked = await lockDocument(tx, identity.agencyCode, documentId);
    if (!locked) throw new AppError('NOT_FOUND', `document ${documentId} not found`);
    if (locked.status === 'recalled' || locked.status === 'revoked')
      throw new AppError('CONFLICT', `document ${documentId} was recalled; it and its metadata are frozen`);
    if (locked.status !== 'draft') {
      const fixed = fixedOnceRegistered.filter((field) => update[field] !== undefined);
      if (fixed.length > 0) {
        throw new AppError(
          'CONFLICT',
          `document ${documentId} is ${locked.status}; ${fixed.join(', ')} can no longer change`,
          {
            errors: fixed.map((field) => ({ field: `body.${field}`, message: 'fixed once registered' })),
          },
        );
      }
    }
    const { subject, typeCode: _typeCode, ...fields } = update;
    const merged = { ...locked.metadata, ...fields };
    const current = await findDocument(tx, identity.agencyCode, documentId);
    const notation = current?.registration ? ` ${foldForSearch(current.registration.notation)}` : '';
    const newSubject = subject ?? locked.subject;
    const searchText =
      searchTextOf({ ...(merged as Partial<DocumentMetadata>), direction: locked.direction, subject: newSubject }) +
      notation;
    await tx.query(
      `UPDATE documents SET subject = $2, type_code = COALESCE($3, type_code), metadata = metadata || $4::jsonb, search_text = $5, updated_at = now() WHERE id = $1`,
      [documentId, newSubject, typeCode ?? null, JSON.stringify(fields), searchText],
    );
    const document = await findDocument(tx, identity.agencyCode, documentId);
    if (!document) throw new Error('document vanished inside its own transaction');
    const event: DocumentMetadataUpdatedV1 = {
      documentId,
      agencyCode: identity.agencyCode,
      fields: Object.keys(update).sort(),
      updatedBy: identity.userId,
      updatedAt: document.updatedAt,
    };
    await enqueueEvent(
      tx,
      documentMetadataUpdatedV1,
      documentId,
      event,
      { source: deps.source, requestId: command.requestId, agencyCode: identity.agencyCode },
      deps.topicPrefix,
    );
    return document;
  });
  return { document: result, replayed };
}
