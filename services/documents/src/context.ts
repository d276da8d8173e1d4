import { contextFor } from '@vanthu/platform';
import type { Clock, Pool, UseCaseContext } from '@vanthu/platform';
import type { FastifyRequest } from 'fastify';
import type { ConcurrencyLimiter } from './adapters/concurrency-limiter';
import type { DocxConverter } from './adapters/docx-converter';
import type { TextIndexer } from './adapters/text-indexer';
import type { BlobStore } from '@vanthu/platform';
import type { RegistrationGroups } from './registers/register-document';

/** The service's clients, made once at start-up (app.ts) and shared by every request's context. */
export type DocumentsServices = {
  pool: Pool;
  blobs: BlobStore;
  converter: DocxConverter;
  textIndexer: TextIndexer;
  /** Bounds the registrations that run alone, each in its own transaction (503 + Retry-After beyond it). */
  numbering: ConcurrencyLimiter;
  /** Gathers each register's registrations into groups that commit together (503 + Retry-After beyond it). */
  registrations: RegistrationGroups;
  topicPrefix: string;
  source: string;
  clock?: Clock;
};

/** The second argument of every documents use case: `verbNoun(input, ctx)`. */
export type DocumentsContext = UseCaseContext & DocumentsServices;

/**
 * The context of one request: who asks, its transaction (honouring Idempotency-Key), and the clients. An upload's
 * route passes what identifies the upload (`uploaded`) for the Idempotency-Key's fingerprint.
 */
export const documentsContext = (
  request: FastifyRequest,
  services: DocumentsServices,
  operation: string,
  uploaded?: unknown,
): DocumentsContext => ({
  ...services,
  ...contextFor(request, services.pool, operation, services.clock, uploaded ?? request.body),
});
