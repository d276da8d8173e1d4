import {
  certificateActivatedV1,
  consultationAnsweredV1,
  consultationClosedV1,
  consultationOpenedV1,
  certificateReassignedV1,
  certificateRegisteredV1,
  certificateSuspendedV1,
  certificateUnregisteredV1,
  copyMadeV1,
  documentCreatedV1,
  documentIssuedV1,
  documentRecalledV1,
  documentRegisteredV1,
  documentValidatedV1,
  exchangeReceivedV1,
  exchangeSentV1,
  exchangeStatusV1,
  processCompletedV1,
  processReturnedV1,
  processStartedV1,
  signatureAppliedV1,
  taskAssignedV1,
  taskClaimedV1,
  taskCompletedV1,
  taskDelegatedV1,
  taskOverdueV1,
  taskReturnedV1,
  topicName,
} from '@vanthu/contracts';
import type { TopicName } from '@vanthu/contracts';
import type { EventHandler, Tx, WriteBatch } from '@vanthu/platform';
import { projectionWriteBatch } from '../repositories/write-batch';
import {
  onCopyMade,
  onDocumentCreated,
  onDocumentIssued,
  onDocumentRecalled,
  onDocumentRegistered,
} from './document-events';
import {
  onCertificateActivated,
  onCertificateReassigned,
  onCertificateRegistered,
  onCertificateSuspended,
  onCertificateUnregistered,
  onDocumentValidated,
  onSignatureApplied,
} from './signing-events';
import {
  onProcessCompleted,
  onProcessReturned,
  onProcessStarted,
  onTaskAssigned,
  onTaskCompleted,
  onTaskOverdue,
  onTaskReassigned,
  onTaskReturned,
} from './routing-events';
import { onExchangeReceived, onExchangeSent, onExchangeStatus } from './exchange-events';
import { onConsultationAnswered, onConsultationClosed, onConsultationOpened } from './consultation-events';

export const reportingHandlers: Record<string, EventHandler> = {
  [documentCreatedV1.type]: onDocumentCreated,
  [documentRegisteredV1.type]: onDocumentRegistered,
  [documentIssuedV1.type]: onDocumentIssued,
  [documentRecalledV1.type]: onDocumentRecalled,
  [copyMadeV1.type]: onCopyMade,
  [signatureAppliedV1.type]: onSignatureApplied,
  [documentValidatedV1.type]: onDocumentValidated,
  [certificateRegisteredV1.type]: onCertificateRegistered,
  [certificateActivatedV1.type]: onCertificateActivated,
  [certificateUnregisteredV1.type]: onCertificateUnregistered,
  [certificateSuspendedV1.type]: onCertificateSuspended,
  [certificateReassignedV1.type]: onCertificateReassigned,
  [processStartedV1.type]: onProcessStarted,
  [processCompletedV1.type]: onProcessCompleted,
  [processReturnedV1.type]: onProcessReturned,
  [taskAssignedV1.type]: onTaskAssigned,
  [taskClaimedV1.type]: onTaskReassigned,
  [taskDelegatedV1.type]: onTaskReassigned,
  [taskCompletedV1.type]: onTaskCompleted,
  [taskReturnedV1.type]: onTaskReturned,
  [taskOverdueV1.type]: onTaskOverdue,
  [exchangeSentV1.type]: onExchangeSent,
  [exchangeReceivedV1.type]: onExchangeReceived,
  [exchangeStatusV1.type]: onExchangeStatus,
  [consultationOpenedV1.type]: onConsultationOpened,
  [consultationAnsweredV1.type]: onConsultationAnswered,
  [consultationClosedV1.type]: onConsultationClosed,
};

/**
 * Events of one Kafka batch projected per transaction (the inbox rows and handlers together, then the offset): the
 * per-event commit was the projection's cost (bench/reporting/results.md).
 */
export const reportingBatchSize = 500;

/** The topics the projections are built from, in the order a rebuild reads them. */
export const reportingTopics: TopicName[] = ['vanthu.documents', 'vanthu.signing', 'vanthu.routing', 'vanthu.exchange'];

export function reportingConsumer(
  group: string,
  topicPrefix: string,
): {
  consumer: string;
  topics: string[];
  handlers: Record<string, EventHandler>;
  batchSize: number;
  writeBatch: (tx: Tx) => WriteBatch;
} {
  return {
    consumer: `${topicPrefix}${group}`,
    topics: reportingTopics.map((topic) => topicName(topic, topicPrefix)),
    handlers: reportingHandlers,
    batchSize: reportingBatchSize,
    // The handlers' writes wait in the transaction's write batch, which the inbox sends once the transaction's handlers
    // ran, as set-based statements instead of one round trip per event.
    writeBatch: projectionWriteBatch,
  };
}
