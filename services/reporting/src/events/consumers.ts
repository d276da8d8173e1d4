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
import type { EventHandler, Tx } from '@vanthu/platform';
import { batched, flushWriteBatch } from '../repositories/write-batch';
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
 * The handlers as the consumer runs them: their writes wait in the transaction's write batch and go out as set-based
 * statements once the batch's handlers ran (`afterHandlers`), instead of one round trip per event. Without
 * `afterHandlers` the transaction cannot commit (WriteBatch.open): the pairing fails loudly, never silently.
 */
export const reportingBatchedHandlers: Record<string, EventHandler> = Object.fromEntries(
  Object.entries(reportingHandlers).map(([type, handler]) => [type, batched(handler)]),
);

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
  afterHandlers: (tx: Tx) => Promise<void>;
} {
  return {
    consumer: `${topicPrefix}${group}`,
    topics: reportingTopics.map((topic) => topicName(topic, topicPrefix)),
    handlers: reportingBatchedHandlers,
    batchSize: reportingBatchSize,
    afterHandlers: flushWriteBatch,
  };
}
