import multipart from '@fastify/multipart';
import { buildServiceApp, registerWorkQueues } from '@vanthu/platform';
import type { HealthCheck, Logger, Pool, ServiceApp } from '@vanthu/platform';
import { serviceVersion } from './config';
import { documentRoutes } from './routes/documents';
import { organisationRoutes } from './routes/organisations';
import { registerRoutes } from './routes/registers';
import type { BlobStore } from '@vanthu/platform';
import { ConcurrencyLimiter } from './adapters/concurrency-limiter';
import { DocxConverter } from './adapters/docx-converter';
import { TextIndexer } from './adapters/text-indexer';
import { searchRoutes } from './routes/search';
import { dossierRoutes } from './routes/dossiers';
import { copyRoutes } from './routes/copies';
import type { DocumentsServices } from './context';
import { registrationGroups } from './registers/register-document';
import { operationRoles } from './routes/operation-roles';

export type DocumentsAppDeps = {
  logger: Logger;
  pool: Pool;
  blobs: BlobStore;
  identityPublicKey: string;
  /** Lets the signing service read documents from its event consumers (validation on receipt). */
  servicePublicKey?: string;
  topicPrefix: string;
  maxUploadBytes: number;
  healthChecks?: HealthCheck[];
  /** DOCX → PDF conversion; one with the defaults (2 at a time, 8 queued, 60 s) when not given. */
  converter?: DocxConverter;
  /** Fills the search index with PDF text off the request path; one is made when not given. */
  textIndexer?: TextIndexer;
  /** Registrations holding a connection at once (default: 60 % of the pool), and waiting beyond those (5,000). */
  numbering?: { concurrency?: number; maxQueued?: number };
};

export async function buildApp(deps: DocumentsAppDeps): Promise<ServiceApp> {
  const app = await buildServiceApp({
    name: 'documents',
    version: serviceVersion,
    description: 'Documents, versions and content-addressed content of an agency (văn bản, phiên bản).',
    logger: deps.logger,
    identityPublicKey: deps.identityPublicKey,
    operationRoles,
    ...(deps.servicePublicKey ? { servicePublicKey: deps.servicePublicKey } : {}),
    healthChecks: deps.healthChecks ?? [],
  });
  // Limits are enforced while streaming, so an oversized upload is refused without being held in memory.
  await app.register(multipart, {
    limits: { fileSize: deps.maxUploadBytes, files: 1, fields: 4, parts: 5, fieldSize: 64 * 1024, headerPairs: 100 },
  });
  const services = documentsServices(deps);
  app.addHook('onClose', async () => services.textIndexer.stop());
  // Route order is the order of the published OpenAPI document's paths.
  await documentRoutes(app, services);
  await searchRoutes(app, services);
  await dossierRoutes(app, services);
  await copyRoutes(app, services);
  await registerRoutes(app, services);
  await organisationRoutes(app, services);
  return app;
}

/**
 * The one place the service's dependencies are made: every use case reaches them through its context
 * (`DocumentsContext`), never by constructing its own.
 */
export function documentsServices(deps: DocumentsAppDeps): DocumentsServices {
  const services: DocumentsServices = {
    pool: deps.pool,
    blobs: deps.blobs,
    converter: deps.converter ?? new DocxConverter(),
    textIndexer: deps.textIndexer ?? new TextIndexer({ pool: deps.pool, blobs: deps.blobs, logger: deps.logger }),
    numbering: numberingLimiter(deps),
    registrations: registrationGroups(deps.pool, {
      maxGroup: 200,
      maxQueued: deps.numbering?.maxQueued ?? 5_000,
    }),
    topicPrefix: deps.topicPrefix,
    source: '/vanthu/documents',
  };
  registerWorkQueues('documents', {
    libreoffice: () => services.converter.load(),
    numbering: () => services.numbering.load(),
    'numbering-groups': () => services.registrations.load(),
  });
  return services;
}

/**
 * Registrations of one register-year serialise on its counter row, so a burst (hundreds at once) waits in bounded
 * queues rather than for a pooled connection, whose connect timeout would fail it. Most wait for their register's
 * group (`registrationGroups`: one connection and one transaction per group, 5,000 waiting at most); this one bounds
 * the registrations that run alone, each in its own transaction (60 % of the pool, 6 of the service's 10, leaving
 * connections for the groups, uploads, reads and the outbox). Beyond either queue, or after two minutes of waiting
 * here, a request is refused with 503 and Retry-After.
 */
function numberingLimiter(deps: DocumentsAppDeps): ConcurrencyLimiter {
  const poolSize = (deps.pool as { options?: { max?: number } }).options?.max ?? 10;
  const concurrency = Math.min(deps.numbering?.concurrency ?? Math.floor(poolSize * 0.6), poolSize - 2);
  return new ConcurrencyLimiter({
    concurrency: Math.max(1, concurrency),
    maxQueued: deps.numbering?.maxQueued ?? 5_000,
    maxWaitMs: 120_000,
    retryAfterSeconds: 5,
    what: 'registrations',
  });
}
