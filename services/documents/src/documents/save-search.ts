import { randomUUID } from 'node:crypto';
import { AppError, withTransaction } from '@vanthu/platform';
import { insertSavedSearch } from '../repositories/search-repository';
import type { NewSavedSearch, SavedSearch } from '../schemas/search';
import type { DocumentsContext } from '../context';

export type SaveSearchInput = { search: NewSavedSearch };

/** Saves the caller's search under a name of their own (one name per user). */
export async function saveSearch(input: SaveSearchInput, ctx: DocumentsContext): Promise<SavedSearch> {
  const { identity } = ctx;
  const { search } = input;
  const saved = await withTransaction(ctx.pool, (tx) =>
    insertSavedSearch(tx, {
      id: randomUUID(),
      agencyCode: identity.agencyCode,
      userId: identity.userId,
      name: search.name.normalize('NFC'),
      criteria: search.criteria,
    }),
  );
  if (!saved) throw new AppError('CONFLICT', `you already have a saved search named ${search.name}`);
  return saved;
}
