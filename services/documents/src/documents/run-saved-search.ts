import { AppError, withTransaction } from '@vanthu/platform';
import { findSavedSearch } from '../repositories/search-repository';
import type { SearchResults } from '../schemas/search';
import type { DocumentsContext } from '../context';
import { searchDocuments } from './search-documents';

export type RunSavedSearchInput = { searchId: string; cursor?: string; limit: number };

/** Runs one of the caller's saved searches now; another user's is "not found". */
export async function runSavedSearch(input: RunSavedSearchInput, ctx: DocumentsContext): Promise<SearchResults> {
  const { searchId, cursor, limit } = input;
  const saved = await withTransaction(ctx.pool, (tx) =>
    findSavedSearch(tx, ctx.identity.agencyCode, ctx.identity.userId, searchId),
  );
  if (!saved) throw new AppError('NOT_FOUND', `saved search ${searchId} not found`);
  return searchDocuments({ criteria: saved.criteria, ...(cursor ? { cursor } : {}), limit }, ctx);
}
