import { withTransaction } from '@vanthu/platform';
import { listAccess } from '../repositories/access-log-repository';
import type { AccessEntry } from '../repositories/access-log-repository';
import type { DocumentsContext } from '../context';
import { getDocument } from './get-document';

export type ListAccessLogInput = { documentId: string; cursor?: string; limit: number };

/** A document's access and print log, oldest first, with a cursor (the last entry's id). */
export async function listAccessLog(
  input: ListAccessLogInput,
  ctx: DocumentsContext,
): Promise<{ items: AccessEntry[]; nextCursor: string | null }> {
  const { documentId, cursor, limit } = input;
  await getDocument({ documentId }, ctx);
  // The key is the log's own bigserial id, unique, so no two entries share a position; kept as text (a
  // bigint read through a Number would round beyond 2^53).
  const after = cursor && /^\d{1,18}$/.test(cursor) ? cursor : '0';
  const rows = await withTransaction(ctx.pool, (tx) =>
    listAccess(tx, ctx.identity.agencyCode, documentId, after, limit + 1),
  );
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return {
    items: page.map(({ id: _id, ...entry }) => entry),
    nextCursor: rows.length > limit && last ? String(last.id) : null,
  };
}
