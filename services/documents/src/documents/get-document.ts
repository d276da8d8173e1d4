import { AppError, withTransaction } from '@vanthu/platform';
import type { Identity, Pool } from '@vanthu/platform';
import { findDocument } from '../repositories/documents-repository';
import type { Document } from '../schemas/document';

export async function getDocument(identity: Identity, id: string, deps: { pool: Pool }): Promise<Document> {
  const document = await withTransaction(deps.pool, (tx) => findDocument(tx, identity.agencyCode, id));
  if (!document) throw new AppError('NOT_FOUND', `document ${id} not found`);
  return document;
}
