import type { CloudEvent, Tx } from '@vanthu/platform';
import type { ExchangeReceivedV1, ExchangeSentV1, ExchangeStatusV1 } from '@vanthu/contracts';
import { recordExchange, recordExchangeStatus } from '../repositories/exchange-facts-repository';

export async function onExchangeSent(tx: Tx, event: CloudEvent): Promise<void> {
  const data = event.data as ExchangeSentV1;
  await recordExchange(tx, {
    exchangeId: data.exchangeId,
    agencyCode: data.agencyCode,
    documentId: data.documentId,
    direction: 'sent',
    hub: data.hub,
    edxmlDocumentId: data.edxmlDocumentId,
    at: data.sentAt,
    counterparts: data.to.map((to) => to.organId),
  });
}

export async function onExchangeReceived(tx: Tx, event: CloudEvent): Promise<void> {
  const data = event.data as ExchangeReceivedV1;
  await recordExchange(tx, {
    exchangeId: data.exchangeId,
    agencyCode: data.agencyCode,
    documentId: data.documentId,
    direction: 'received',
    hub: null,
    edxmlDocumentId: data.edxmlDocumentId,
    at: data.receivedAt,
    counterparts: [data.from.organId],
  });
}

export async function onExchangeStatus(tx: Tx, event: CloudEvent): Promise<void> {
  const data = event.data as ExchangeStatusV1;
  await recordExchangeStatus(tx, {
    exchangeId: data.exchangeId,
    agencyCode: data.agencyCode,
    direction: data.direction,
    edxmlDocumentId: data.edxmlDocumentId,
    statusCode: data.statusCode,
    at: data.at,
  });
}
