import { AppError, withTransaction } from '@vanthu/platform';
import { searchDocuments as querySearch } from '../repositories/search-repository';
import type { PageKey } from '../repositories/search-repository';
import type { SearchCriteria, SearchResults } from '../schemas/search';
import { foldForSearch } from '../rules/search-text';
import type { DocumentsContext } from '../context';

export type SearchDocumentsInput = { criteria: SearchCriteria; cursor?: string; limit: number };

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
export async function searchDocuments(input: SearchDocumentsInput, ctx: DocumentsContext): Promise<SearchResults> {
  const { criteria, limit } = input;
  const words = criteria.q ? foldForSearch(criteria.q).split(' ').filter(Boolean).slice(0, 10) : [];
  const after = input.cursor ? decodeCursor(input.cursor) : undefined;
  const rows = await withTransaction(ctx.pool, (tx) =>
    querySearch(tx, ctx.identity.agencyCode, { criteria, words, ...(after ? { after } : {}), limit: limit + 1 }),
  );
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return {
    items: page.map((row) => row.summary),
    nextCursor: rows.length > limit && last ? encodeCursor(last.key) : null,
  };
}
