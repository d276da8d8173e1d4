import {
  copyMadeV1,
  documentValidatedV1,
  documentVersionAddedV1,
  exchangeReceivedV1,
  signatureAppliedV1,
  topicName,
} from '@vanthu/contracts';
import type {
  CopyMadeV1,
  DocumentValidatedV1,
  DocumentVersionAddedV1,
  ExchangeReceivedV1,
  SignatureAppliedV1,
} from '@vanthu/contracts';
import type { Clock, EventHandler, Logger } from '@vanthu/platform';
import { acceptSignedAnswer } from '../consultations/accept-signed-answer';
import { applySignature } from '../domain/apply-signature';
import { receiveExchangedDocument } from '../domain/receive-exchanged-document';
import { recordDigitisedCopy } from '../incidents/record-digitised-copy';
import { recordDocumentVersion } from '../domain/record-document-version';
import type { RoutingDeps } from '../domain/routing-context';
import { projectDocumentValidated, projectSignatureApplied } from '../submissions/project-signing-facts';
import { consumerContext } from './consumer-context';

export type RoutingConsumerDeps = RoutingDeps & { logger: Logger; clock: Clock };

/** Handlers by event type: what routing learns from documents and signing. */
export function routingEventHandlers(deps: RoutingConsumerDeps): Record<string, EventHandler> {
  return {
    [signatureAppliedV1.type]: async (tx, event) => {
      const data = event.data as SignatureAppliedV1;
      await projectSignatureApplied(tx, data);
      const ctx = consumerContext(tx, deps, data.agencyCode, event.id);
      await applySignature({ event: data, eventId: event.id }, ctx);
      await acceptSignedAnswer({ event: data, eventId: event.id }, ctx);
    },
    [documentValidatedV1.type]: async (tx, event) => {
      await projectDocumentValidated(tx, event.data as DocumentValidatedV1);
    },
    [documentVersionAddedV1.type]: async (tx, event) => {
      const data = event.data as DocumentVersionAddedV1;
      await recordDocumentVersion(
        { event: data, eventId: event.id },
        consumerContext(tx, deps, data.agencyCode, event.id),
      );
    },
    [copyMadeV1.type]: async (tx, event) => {
      const data = event.data as CopyMadeV1;
      await recordDigitisedCopy(
        { event: data, eventId: event.id },
        consumerContext(tx, deps, data.agencyCode, event.id),
      );
    },
    [exchangeReceivedV1.type]: async (tx, event) => {
      const data = event.data as ExchangeReceivedV1;
      await receiveExchangedDocument(
        { event: data, eventId: event.id },
        consumerContext(tx, deps, data.agencyCode, event.id),
      );
    },
  };
}

export function routingConsumers(deps: RoutingConsumerDeps, topicPrefix: string) {
  return [
    {
      consumer: `${topicPrefix}routing-process-engine`,
      topics: [
        topicName('vanthu.signing', topicPrefix),
        topicName('vanthu.documents', topicPrefix),
        topicName('vanthu.exchange', topicPrefix),
      ],
      handlers: routingEventHandlers(deps),
    },
  ];
}
