import { AppError, requireRole } from '@vanthu/platform';
import type { Mutation } from '@vanthu/platform';
import type { ClerkContext } from '../../context';
import { lockExchange, setExchangeState } from '../../repositories/exchanges-repository';
import { queuedKeys } from '../../repositories/hub-jobs-repository';
import { exchangeView } from './get-exchange';
import type { ExchangeView } from './get-exchange';
import { queueStatusReply, statusKey } from './status-replies';

export type ReturnReceivedDocumentInput = { exchangeId: string; reason: string };

/**
 * The clerk returns a document that arrived through the hub (trả lại, NĐ 30/2020 Điều 21: the
 * records office checks an incoming document before registering it): status 02 with the reason goes
 * back to the sender. Once registered (03 queued) it is handled here and can no longer be returned.
 */
export async function returnReceivedDocument(
  input: ReturnReceivedDocumentInput,
  ctx: ClerkContext,
): Promise<Mutation<ExchangeView>> {
  requireRole(ctx.identity, 'clerk');
  const reason = input.reason.normalize('NFC').trim();
  if (reason.length === 0 || [...reason].length > 1000) {
    throw new AppError('VALIDATION_FAILED', 'a return needs a reason of 1 to 1,000 characters', {
      errors: [{ field: 'body.reason', message: 'required, at most 1,000 characters' }],
    });
  }
  return ctx.runInTransaction(async (tx) => {
    const exchange = await lockExchange(tx, input.exchangeId, ctx.identity.agencyCode);
    if (!exchange || exchange.direction !== 'received' || exchange.businessDocType !== 0) {
      throw new AppError('NOT_FOUND', `no received document exchange ${input.exchangeId} for this agency`);
    }
    if (exchange.state !== 'received') {
      throw new AppError(
        'CONFLICT',
        `exchange ${exchange.id} is ${exchange.state}; only a received document is returned`,
      );
    }
    const later = await queuedKeys(
      tx,
      (['03', '04', '05', '06'] as const).map((code) => statusKey(exchange.id, code)),
    );
    if (later.size > 0) {
      throw new AppError('CONFLICT', `exchange ${exchange.id} was registered already; it can no longer be returned`);
    }
    const at = ctx.clock();
    if (!(await queueStatusReply(tx, exchange, '02', reason, at))) {
      throw new AppError('CONFLICT', `exchange ${exchange.id} was returned already`);
    }
    return exchangeView(await setExchangeState(tx, exchange.id, { state: 'returned', at, lastError: reason }));
  });
}
