import type { TObject } from '@sinclair/typebox';
import { documentCreatedV1 } from './events/document-created';
import { documentVersionAddedV1 } from './events/document-version-added';
import { copyMadeV1 } from './events/copy-made';
import { documentIssuedV1 } from './events/document-issued';
import { documentRecalledV1 } from './events/document-recalled';
import { documentRegisteredV1 } from './events/document-registered';
import { dossierDocumentAddedV1 } from './events/dossier-document-added';
import { dossierStateChangedV1 } from './events/dossier-state-changed';
import { registerCreatedV1 } from './events/register-created';
import { signatureAppliedV1 } from './events/signature-applied';
import { signingSessionPreparedV1 } from './events/signing-session-prepared';
import { signingSessionCompletedV1 } from './events/signing-session-completed';
import { certificateRegisteredV1 } from './events/certificate-registered';
import { certificateActivatedV1 } from './events/certificate-activated';
import { certificateUnregisteredV1 } from './events/certificate-unregistered';
import { certificateReassignedV1 } from './events/certificate-reassigned';
import { certificateSuspendedV1 } from './events/certificate-suspended';
import {
  signingKeyActivatedV1,
  signingKeyGeneratedV1,
  signingKeyRetiredV1,
  signingKeyRotatedV1,
} from './events/signing-key-lifecycle';
import { dossierHandoverDueV1 } from './events/dossier-handover-due';
import { documentMetadataUpdatedV1 } from './events/document-metadata-updated';
import { documentValidatedV1 } from './events/document-validated';
import { taskOverdueV1 } from './events/task-overdue';
import { taskRemindedV1 } from './events/task-reminded';
import { exchangeSentV1 } from './events/exchange-sent';
import { deliveryRequestedV1 } from './events/delivery-requested';
import { exchangeReceivedV1 } from './events/exchange-received';
import { exchangeStatusV1 } from './events/exchange-status';
import { exchangeRecallAnsweredV1, exchangeRecallRequestedV1 } from './events/exchange-recall';
import { exchangeUpdateAppliedV1 } from './events/exchange-update-applied';
import { webhookEndpointDisabledV1 } from './events/webhook-endpoint-disabled';
import { reportSubmittedV1 } from './events/report-submitted';
import { processCompletedV1, processReturnedV1, processStartedV1 } from './events/process-lifecycle';
import {
  consultationAnsweredV1,
  consultationClosedV1,
  consultationOpenedV1,
  consultationOverdueV1,
  consultationRemindedV1,
} from './events/consultation-lifecycle';
import { incidentDeclaredV1, incidentEndedV1, processPaperIssuedV1 } from './events/paper-fallback';
import {
  taskAssignedV1,
  taskClaimedV1,
  taskCompletedV1,
  taskDelegatedV1,
  taskReturnedV1,
} from './events/task-lifecycle';
import type { TopicName } from './topics';

export type EventDefinition = {
  /** CloudEvents `type`, reverse-DNS with the major version. */
  type: string;
  topic: TopicName;
  /** What the message key (and CloudEvents `subject`) identifies. */
  aggregate: string;
  description: string;
  schema: TObject;
};

/** Every event vanthu publishes. Adding one here puts it into the AsyncAPI document. */
export const eventCatalogue: readonly EventDefinition[] = [
  documentCreatedV1,
  documentVersionAddedV1,
  copyMadeV1,
  documentIssuedV1,
  documentRecalledV1,
  documentRegisteredV1,
  dossierDocumentAddedV1,
  dossierStateChangedV1,
  registerCreatedV1,
  signatureAppliedV1,
  signingSessionPreparedV1,
  signingSessionCompletedV1,
  certificateRegisteredV1,
  certificateActivatedV1,
  certificateUnregisteredV1,
  certificateReassignedV1,
  certificateSuspendedV1,
  signingKeyGeneratedV1,
  signingKeyActivatedV1,
  signingKeyRotatedV1,
  signingKeyRetiredV1,
  dossierHandoverDueV1,
  documentMetadataUpdatedV1,
  documentValidatedV1,
  taskOverdueV1,
  taskRemindedV1,
  deliveryRequestedV1,
  exchangeSentV1,
  exchangeReceivedV1,
  exchangeStatusV1,
  exchangeRecallRequestedV1,
  exchangeRecallAnsweredV1,
  exchangeUpdateAppliedV1,
  processStartedV1,
  processCompletedV1,
  processReturnedV1,
  taskAssignedV1,
  taskClaimedV1,
  taskCompletedV1,
  taskReturnedV1,
  taskDelegatedV1,
  webhookEndpointDisabledV1,
  consultationOpenedV1,
  consultationAnsweredV1,
  consultationClosedV1,
  consultationRemindedV1,
  consultationOverdueV1,
  incidentDeclaredV1,
  incidentEndedV1,
  processPaperIssuedV1,
  reportSubmittedV1,
];

export function findEventDefinition(type: string): EventDefinition | undefined {
  return eventCatalogue.find((definition) => definition.type === type);
}
