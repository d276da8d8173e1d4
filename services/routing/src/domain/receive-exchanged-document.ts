import type { ExchangeReceivedV1 } from '@vanthu/contracts';
import { AppError } from '@vanthu/platform';
import { processesOfDocument } from '../repositories/processes-repository';
import type { ProcessRecord } from '../repositories/processes-repository';
import type { RoutingContext } from './routing-context';
import { openProcess } from './start-process';

export type ReceiveExchangedDocumentInput = { event: ExchangeReceivedV1; eventId: string };

/**
 * A document the hub brought (exchange created it in documents as an incoming document) enters the agency's
 * incoming process (NĐ 30/2020 Điều 20–21). Run by the inbox: a redelivered event finds the process it started
 * and starts no second one.
 */
export async function receiveExchangedDocument(
  input: ReceiveExchangedDocumentInput,
  ctx: RoutingContext,
): Promise<ProcessRecord> {
  const { event } = input;
  const { result } = await ctx.runInTransaction(async (tx) => {
    const existing = await processesOfDocument(tx, event.agencyCode, event.documentId, 'incoming');
    if (existing[0]) return existing[0];
    const document = await ctx.documents.getDocument(ctx.credentials, event.documentId);
    if (document.agencyCode !== event.agencyCode || document.direction !== 'incoming')
      throw new AppError(
        'UNPROCESSABLE',
        `exchange ${event.exchangeId} names document ${event.documentId}, which is not an incoming document of ${event.agencyCode}`,
      );
    return openProcess(tx, ctx, {
      kind: 'incoming',
      document,
      variables: {
        receivedVia: 'hub',
        receivedFrom: {
          organId: event.from.organId,
          ...(event.from.organName ? { organName: event.from.organName } : {}),
          exchangeId: event.exchangeId,
          edxmlDocumentId: event.edxmlDocumentId,
          version: event.version,
          sha256: event.sha256,
        },
      },
    });
  });
  return result;
}
