import { withTransaction } from '@vanthu/platform';
import { listSavedSearches as selectSavedSearches } from '../repositories/search-repository';
import type { SavedSearch } from '../schemas/search';
import type { DocumentsContext } from '../context';

export type ListSavedSearchesInput = Record<string, never>;

/** The caller's own saved searches. */
export async function listSavedSearches(_input: ListSavedSearchesInput, ctx: DocumentsContext): Promise<SavedSearch[]> {
  return withTransaction(ctx.pool, (tx) => selectSavedSearches(tx, ctx.identity.agencyCode, ctx.identity.userId));
}
