import { withTransaction } from '@vanthu/platform';
import type { Identity, Pool } from '@vanthu/platform';
import { listAccess } from '../repositories/access-log-repository';
import type { AccessEntry } from '../repositories/access-log-repository';
import { getDocument } from './get-document';

/** A document's access and print log, oldest first, with a cursor (the last entry's id). */
export async function listAccessLog(
  identity: Identity,
  documentId: string,
  cursor: string | undefined,
  limit: number,
  deps: { pool: Pool },
): Promise<{ items: AccessEntry[]; nextCursor: string | null }> {
  await getDocument(identity, documentId, deps);
  // The key is the log's own bigserial id, unique, so no two entries share a position; kept as text (a
  // bigint read through a Number would round beyond 2^53).
  const after = cursor && /^\d{1,18}$/.test(cursor) ? cursor : '0';
  const rows = await withTransaction(deps.pool, (tx) =>
    listAccess(tx, identity.agencyCode, documentId, after, limit + 1),
  );
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return {
    items: page.map(({ id: _id, ...entry }) => entry),
    nextCursor: rows.length > limit && last ? String(last.id) : null,
  };
}
