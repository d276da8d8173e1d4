import { AppError, requireRole, withTransaction } from '@vanthu/platform';
import { listDeliveries } from '../repositories/deliveries-repository';
import { findEndpoint } from '../repositories/endpoints-repository';
import { deliveryView } from './delivery-view';
import type { DeliveryView } from './delivery-view';
import type { ReadContext } from './read-context';

export type ListWebhookDeliveriesInput = { endpointId: string; limit?: number; cursor?: string };

const encodeCursor = (d: { createdAt: Date; id: string }) =>
  Buffer.from(JSON.stringify([d.createdAt.toISOString(), d.id])).toString('base64url');

function decodeCursor(cursor: string): { createdAt: Date; id: string } {
  try {
    const [at, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as [string, string];
    const createdAt = new Date(at);
    if (Number.isNaN(createdAt.getTime()) || !/^[0-9a-f-]{36}$/.test(id)) throw new Error('bad cursor');
    return { createdAt, id };
  } catch {
    throw new AppError('VALIDATION_FAILED', 'the cursor is not one this list gave', {
      errors: [{ field: '/cursor', message: 'unknown cursor' }],
    });
  }
}

/** The endpoint's delivery log, newest first, with a cursor to the next page. */
export async function listWebhookDeliveries(
  input: ListWebhookDeliveriesInput,
  ctx: ReadContext,
): Promise<{ items: DeliveryView[]; nextCursor: string | null }> {
  requireRole(ctx.identity, 'admin');
  const limit = input.limit ?? 50;
  const before = input.cursor ? decodeCursor(input.cursor) : undefined;
  return withTransaction(ctx.pool, async (tx) => {
    const endpoint = await findEndpoint(tx, ctx.identity.agencyCode, input.endpointId);
    if (!endpoint) throw new AppError('NOT_FOUND', 'no such webhook endpoint');
    const rows = await listDeliveries(tx, {
      agencyCode: ctx.identity.agencyCode,
      endpointId: endpoint.id,
      limit: limit + 1,
      ...(before ? { before } : {}),
    });
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return { items: page.map(deliveryView), nextCursor: rows.length > limit && last ? encodeCursor(last) : null };
  });
}
