import { randomUUID } from 'node:crypto';
import { AppError, withTransaction } from '@vanthu/platform';
import type { Identity, Pool } from '@vanthu/platform';
import {
  findSavedSearch,
  insertSavedSearch,
  listSavedSearches,
  searchDocuments as querySearch,
} from '../repositories/search-repository';
import type { PageKey } from '../repositories/search-repository';
import type { NewSavedSearch, SavedSearch, SearchCriteria, SearchResults } from '../schemas/search';
import { foldForSearch } from '../rules/search-text';

// The cursor is opaque to clients: base64url of the last row's exact key, `{created_at to the µs}|{id}`.
// Cursors of earlier releases (milliseconds) still decode.
const encodeCursor = (key: PageKey): string => Buffer.from(`${key.createdAt}|${key.id}`, 'utf8').toString('base64url');

const exactInstant = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z$/;

function decodeCursor(cursor: string): PageKey {
  const [createdAt, id, ...rest] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  if (!createdAt || !id || rest.length > 0 || !exactInstant.test(createdAt) || !/^[0-9a-f-]{36}$/.test(id)) {
    throw new AppError('VALIDATION_FAILED', 'the cursor is not one this API returned', {
      errors: [{ field: 'querystring.cursor', message: 'invalid cursor' }],
    });
  }
  return { createdAt, id };
}

/**
 * Full-text search over the caller's agency only (Phụ lục VI mục III.6): the query is folded
 * exactly like the stored text, split into words, and every word must match.
 */
export async function searchDocuments(
  identity: Identity,
  criteria: SearchCriteria,
  paging: { cursor?: string; limit: number },
  deps: { pool: Pool },
): Promise<SearchResults> {
  const words = criteria.q ? foldForSearch(criteria.q).split(' ').filter(Boolean).slice(0, 10) : [];
  const after = paging.cursor ? decodeCursor(paging.cursor) : undefined;
  const rows = await withTransaction(deps.pool, (tx) =>
    querySearch(tx, identity.agencyCode, { criteria, words, ...(after ? { after } : {}), limit: paging.limit + 1 }),
  );
  const page = rows.slice(0, paging.limit);
  const last = page[page.length - 1];
  return {
    items: page.map((row) => row.summary),
    nextCursor: rows.length > paging.limit && last ? encodeCursor(last.key) : null,
  };
}

export async function saveSearch(
  identity: Identity,
  search: NewSavedSearch,
  deps: { pool: Pool },
): Promise<SavedSearch> {
  const saved = await withTransaction(deps.pool, (tx) =>
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

export const listSearches = (identity: Identity, deps: { pool: Pool }): Promise<SavedSearch[]> =>
  withTransaction(deps.pool, (tx) => listSavedSearches(tx, identity.agencyCode, identity.userId));

export async function runSavedSearch(
  identity: Identity,
  id: string,
  paging: { cursor?: string; limit: number },
  deps: { pool: Pool },
): Promise<SearchResults> {
  const saved = await withTransaction(deps.pool, (tx) => findSavedSearch(tx, identity.agencyCode, identity.userId, id));
  if (!saved) throw new AppError('NOT_FOUND', `saved search ${id} not found`);
  return searchDocuments(identity, saved.criteria, paging, deps);
}
