import type { UseCaseContext } from '@vanthu/platform';
import type { EdxmlProfile } from './domain/edxml/model';
import type { HubAdapter, HubCredentials } from './hub/hub-adapter';
import type { DocumentsClient } from './clients/documents-client';

/** What the exchange use cases take besides the platform context: the hub, its accounts, documents. */
export type ExchangeContext = UseCaseContext & {
  hub?: HubAdapter;
  hubName: string;
  credentialsFor: (agencyCode: string) => HubCredentials | undefined;
  documents?: DocumentsClient;
  /** Signs this service's own identity assertion for an agency (calls to documents from the worker). */
  serviceIdentity?: (agencyCode: string) => string;
  topicPrefix: string;
  profile: EdxmlProfile;
  maxMessageBytes: number;
};
