import multipart from '@fastify/multipart';
import { buildServiceApp } from '@vanthu/platform';
import type { HealthCheck, Logger, Pool, ServiceApp } from '@vanthu/platform';
import { serviceVersion } from './config';
import { documentRoutes } from './routes/documents';
import { organisationRoutes } from './routes/organisations';
import { registerRoutes } from './routes/registers';
import type { BlobStore } from './storage/blob-store';
import { ConcurrencyLimiter } from './domain/concurrency-limiter';
import { DocxConverter } from './domain/docx-converter';
import { TextIndexer } from './domain/text-indexer';
import { searchRoutes } from './routes/search';
import { dossierRoutes } from './routes/dossiers';
import { copyRoutes } from './routes/copies';

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
};

export async function buildApp(deps: DocumentsAppDeps): Promise<ServiceApp> {
  const app = await buildServiceApp({
    name: 'documents',
    version: serviceVersion,
    description: 'Documents, versions and content-addressed content of an agency (văn bản, phiên bản).',
    logger: deps.logger,
    identityPublicKey: deps.identityPublicKey,
    ...(deps.servicePublicKey ? { servicePublicKey: deps.servicePublicKey } : {}),
    healthChecks: deps.healthChecks ?? [],
  });
  // Limits are enforced while streaming, so an oversized upload is refused without being held in memory.
  await app.register(multipart, {
    limits: { fileSize: deps.maxUploadBytes, files: 1, fields: 4, parts: 5, fieldSize: 64 * 1024, headerPairs: 100 },
  });
  const events = { topicPrefix: deps.topicPrefix, source: '/vanthu/documents' };
  const textIndexer = deps.textIndexer ?? new TextIndexer({ pool: deps.pool, blobs: deps.blobs, logger: deps.logger });
  app.addHook('onClose', async () => textIndexer.stop());
  await documentRoutes(app, {
    pool: deps.pool,
    blobs: deps.blobs,
    converter: deps.converter ?? new DocxConverter(),
    textIndexer,
    ...events,
  });
  await searchRoutes(app, { pool: deps.pool });
  await dossierRoutes(app, { pool: deps.pool, blobs: deps.blobs, ...events });
  await copyRoutes(app, { pool: deps.pool, blobs: deps.blobs, ...events });
  // Registrations of one register-year serialise on its counter row; waiting here rather than for
  // a pooled connection keeps bursts (hundreds at once) from failing on the pool's connect timeout.
  const numbering = new ConcurrencyLimiter({
    concurrency: 4,
    maxQueued: 5_000,
    maxWaitMs: 120_000,
    retryAfterSeconds: 5,
    what: 'registrations',
  });
  await registerRoutes(app, { pool: deps.pool, numbering, ...events });
  await organisationRoutes(app, { pool: deps.pool });
  return app;
}
