import { AppError, withConnection } from '@vanthu/platform';
import { findDocument } from '../repositories/documents-repository';
import type { Document } from '../schemas/document';
import type { DocumentsContext } from '../context';

export type GetDocumentInput = { documentId: string };

/** Another agency's document answers 404, exactly like a missing one. */
export async function getDocument(input: GetDocumentInput, ctx: DocumentsContext): Promise<Document> {
  const { documentId } = input;
  // One statement reads the whole aggregate, so no transaction is needed around it.
  const document = await withConnection(ctx.pool, (tx) => findDocument(tx, ctx.identity.agencyCode, documentId));
  if (!document) throw new AppError('NOT_FOUND', `document ${documentId} not found`);
  return document;
}
