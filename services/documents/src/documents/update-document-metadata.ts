import { AppError, enqueueEvent } from '@vanthu/platform';
import type { Mutation } from '@vanthu/platform';
import { documentMetadataUpdatedV1 } from '@vanthu/contracts';
import type { DocumentMetadataUpdatedV1 } from '@vanthu/contracts';
import { lockDocument, updateMetadata } from '../repositories/documents-repository';
import type { Document, DocumentMetadata, MetadataUpdate } from '../schemas/document';
import type { DocumentsContext } from '../context';
import { checkTypeCode, normaliseStrings } from './check-document-metadata';
import { searchTextOf } from './create-document';
import { foldForSearch } from '../rules/search-text';
import { documentEventMeta } from './document-events';

// Once registered, these identify the document (its số/ký hiệu and mã định danh derive from them).
const fixedOnceRegistered = ['typeCode', 'codeNumber', 'codeNotation', 'issuedDate', 'sender'] as const;

/**
 * Corrects metadata fields. A recalled or revoked document is frozen with its metadata
 * (NĐ 30/2020 Phụ lục VI mục III.8) and refuses every change.
 */
export type UpdateDocumentMetadataInput = { documentId: string; update: MetadataUpdate };

export async function updateDocumentMetadata(
  input: UpdateDocumentMetadataInput,
  ctx: DocumentsContext,
): Promise<Mutation<Document>> {
  const { identity } = ctx;
  const { documentId } = input;
  const update = normaliseStrings(input.update);
  const typeCode = update.typeCode === undefined ? undefined : checkTypeCode(update.typeCode);
  const { result, replayed } = await ctx.runInTransaction(async (tx) => {
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
    const notation = locked.notation !== null ? ` ${foldForSearch(locked.notation)}` : '';
    const newSubject = subject ?? locked.subject;
    const searchText =
      searchTextOf({ ...(merged as Partial<DocumentMetadata>), direction: locked.direction, subject: newSubject }) +
      notation;
    const document = await updateMetadata(tx, locked, {
      subject: newSubject,
      typeCode: typeCode ?? null,
      fields,
      searchText,
    });
    const event: DocumentMetadataUpdatedV1 = {
      documentId,
      agencyCode: identity.agencyCode,
      fields: Object.keys(update).sort(),
      updatedBy: identity.userId,
      updatedAt: document.updatedAt,
    };
    await enqueueEvent(tx, documentMetadataUpdatedV1, documentId, event, documentEventMeta(ctx), ctx.topicPrefix);
    return document;
  });
  return { result, replayed };
}
