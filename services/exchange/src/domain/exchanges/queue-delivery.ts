import { randomUUID } from 'node:crypto';
import type { ExchangeContext } from '../../context';
import { insertOutgoingExchange } from '../../repositories/exchanges-repository';
import { enqueueHubJob } from '../../repositories/hub-jobs-repository';

export type QueueDeliveryInput = {
  deliveryId: string;
  agencyCode: string;
  documentId: string;
  version: number;
  recipients: { organId: string; organName?: string }[];
};

/**
 * Routing asked to send an issued document to agencies outside this instance: the exchange and its
 * send job are written in the consumer's transaction, so the request is never lost, and a
 * redelivered request finds its exchange and adds nothing.
 */
export async function queueDelivery(
  input: QueueDeliveryInput,
  ctx: ExchangeContext,
): Promise<{ exchangeId: string | undefined; queued: boolean }> {
  const { result } = await ctx.runInTransaction(async (tx) => {
    const at = ctx.clock();
    const exchange = await insertOutgoingExchange(tx, {
      id: randomUUID(),
      agencyCode: input.agencyCode,
      deliveryId: input.deliveryId,
      documentId: input.documentId,
      documentVersion: input.version,
      hub: ctx.hubName,
      counterparts: input.recipients,
      at,
    });
    if (!exchange) return { exchangeId: undefined, queued: false };
    await enqueueHubJob(tx, { id: randomUUID(), exchangeId: exchange.id, kind: 'send-edoc', at });
    return { exchangeId: exchange.id, queued: true };
  });
  return result;
}
