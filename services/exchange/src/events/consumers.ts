import {
  deliveryRequestedV1,
  documentRecalledV1,
  documentRegisteredV1,
  processCompletedV1,
  taskAssignedV1,
  taskClaimedV1,
  taskCompletedV1,
  topicName,
} from '@vanthu/contracts';
import type {
  DeliveryRequestedV1,
  DocumentRecalledV1,
  DocumentRegisteredV1,
  ProcessCompletedV1,
  TaskAssignedV1,
  TaskClaimedV1,
  TaskCompletedV1,
} from '@vanthu/contracts';
import type { EventHandler, Tx } from '@vanthu/platform';
import type { ExchangeContext } from '../context';
import { queueDelivery } from '../domain/exchanges/queue-delivery';
import { recallSentDocument } from '../domain/exchanges/recall-sent-document';
import { reportProcessingStatus } from '../domain/exchanges/report-processing-status';
import type { ProcessingEvent } from '../domain/exchanges/report-processing-status';

type Base = Omit<ExchangeContext, 'runInTransaction' | 'requestId'>;

/** Every handler works in the inbox transaction: consumed once, never lost. */
const inTx = (base: Base, tx: Tx, eventId: string): ExchangeContext => ({
  ...base,
  requestId: `event-${eventId}`,
  runInTransaction: async (work) => ({ result: await work(tx), replayed: false }),
});

export function exchangeHandlers(base: Base): Record<string, EventHandler> {
  const processing = (tx: Tx, eventId: string, event: ProcessingEvent) =>
    reportProcessingStatus({ event }, inTx(base, tx, eventId));
  return {
    [deliveryRequestedV1.type]: async (tx, event) => {
      const data = event.data as DeliveryRequestedV1;
      await queueDelivery(
        {
          deliveryId: data.deliveryId,
          agencyCode: data.agencyCode,
          documentId: data.documentId,
          version: data.version,
          recipients: data.recipients,
        },
        inTx(base, tx, event.id),
      );
    },
    // The statuses a sender hears about its document (03–06) follow what documents and routing did here.
    [documentRegisteredV1.type]: async (tx, event) => {
      const data = event.data as DocumentRegisteredV1;
      if (data.direction !== 'incoming') return;
      await processing(tx, event.id, {
        kind: 'registered',
        agencyCode: data.agencyCode,
        documentId: data.documentId,
        number: data.number,
        notation: data.notation,
      });
    },
    [taskAssignedV1.type]: async (tx, event) => {
      const data = event.data as TaskAssignedV1;
      // Only a distribution (chủ trì / phối hợp / để biết) is the leader's assignment.
      if (!data.role) return;
      await processing(tx, event.id, {
        kind: 'assigned',
        agencyCode: data.agencyCode,
        documentId: data.documentId,
        taskId: data.taskId,
        role: data.role,
      });
    },
    [taskClaimedV1.type]: async (tx, event) => {
      const data = event.data as TaskClaimedV1;
      await processing(tx, event.id, { kind: 'task-taken', agencyCode: data.agencyCode, taskId: data.taskId });
    },
    [taskCompletedV1.type]: async (tx, event) => {
      const data = event.data as TaskCompletedV1;
      await processing(tx, event.id, { kind: 'task-taken', agencyCode: data.agencyCode, taskId: data.taskId });
    },
    [processCompletedV1.type]: async (tx, event) => {
      const data = event.data as ProcessCompletedV1;
      if (data.kind !== 'incoming' || data.outcome !== 'closed') return;
      await processing(tx, event.id, { kind: 'closed', agencyCode: data.agencyCode, documentId: data.documentId });
    },
    // An issued document its agency recalled goes out as a recall to every recipient it was sent to.
    [documentRecalledV1.type]: async (tx, event) => {
      const data = event.data as DocumentRecalledV1;
      if (data.direction !== 'outgoing' || data.status !== 'recalled') return;
      await recallSentDocument(
        { agencyCode: data.agencyCode, documentId: data.documentId, reason: data.reason },
        inTx(base, tx, event.id),
      );
    },
  };
}

export function exchangeConsumer(
  group: string,
  base: Base,
): { consumer: string; topics: string[]; handlers: Record<string, EventHandler> } {
  return {
    consumer: `${base.topicPrefix}${group}`,
    topics: [topicName('vanthu.routing', base.topicPrefix), topicName('vanthu.documents', base.topicPrefix)],
    handlers: exchangeHandlers(base),
  };
}
