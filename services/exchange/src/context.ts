import type { FastifyRequest } from 'fastify';
import { contextFor, withTransaction } from '@vanthu/platform';
import type { Clock, Pool, Tx, UseCaseContext } from '@vanthu/platform';
import { nationalHubProfile } from './domain/edxml/model';
import type { EdxmlProfile } from './domain/edxml/model';
import type { HubAdapter, HubCredentials } from './hub/hub-adapter';
import type { DocumentsClient } from './clients/documents-client';
import type { SigningClient } from './clients/signing-client';
import type { BlobStore } from '@vanthu/platform';

/** What the exchange use cases take besides the platform context: the hub, its accounts, documents. */
export type ExchangeContext = UseCaseContext & {
  hub?: HubAdapter;
  hubName: string;
  credentialsFor: (agencyCode: string) => HubCredentials | undefined;
  documents?: DocumentsClient;
  /** Signs every edXML document sent (XML-DSig with the agency's seal); absent, messages go unsigned. */
  signing?: SigningClient;
  /** DER of the CAs received signatures must chain to. */
  trust: Buffer[];
  /** Refuse a received message (document, recall, update, replacement, status) that is not signed. */
  requireSigned?: boolean;
  /** Signs this service's own identity assertion for an agency (calls to documents from the worker). */
  serviceIdentity?: (agencyCode: string) => string;
  topicPrefix: string;
  profile: EdxmlProfile;
  maxMessageBytes: number;
  /** The messages sent and received, as files (MESSAGE_DIR). */
  messages: BlobStore;
};

/** What the clerk's actions on an exchange take (routes): the platform context, documents and the caller's assertion. */
export type ClerkContext = UseCaseContext & {
  documents?: DocumentsClient;
  signing?: SigningClient;
  trust: Buffer[];
  /** The caller's identity assertion, forwarded when the action must change the document in documents. */
  callerAssertion?: string;
  topicPrefix: string;
  /** A plain read before the command's own transaction (which honours Idempotency-Key and runs once). */
  read: <T>(work: (tx: Tx) => Promise<T>) => Promise<T>;
  profile: EdxmlProfile;
  maxMessageBytes: number;
  messages: BlobStore;
};

export type ClerkServices = {
  pool: Pool;
  documents?: DocumentsClient;
  signing?: SigningClient;
  trust?: Buffer[];
  topicPrefix: string;
  clock?: Clock;
  profile?: EdxmlProfile;
  maxMessageBytes?: number;
  messages: BlobStore;
};

/** The context of a clerk's request: the caller's assertion travels on to documents when the action needs it. */
export function clerkContext(request: FastifyRequest, services: ClerkServices, operation: string): ClerkContext {
  const assertion = request.headers['x-vanthu-identity'];
  return {
    ...contextFor(request, services.pool, operation, services.clock),
    ...(services.documents ? { documents: services.documents } : {}),
    ...(services.signing ? { signing: services.signing } : {}),
    trust: services.trust ?? [],
    ...(typeof assertion === 'string' ? { callerAssertion: assertion } : {}),
    topicPrefix: services.topicPrefix,
    read: (work) => withTransaction(services.pool, work),
    profile: services.profile ?? nationalHubProfile,
    maxMessageBytes: services.maxMessageBytes ?? 64 * 1024 * 1024,
    messages: services.messages,
  };
}
