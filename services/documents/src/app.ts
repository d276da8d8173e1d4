import multipart from '@fastify/multipart';
import { buildServiceApp } from '@vanthu/platform';
import type { HealthCheck, Logger, Pool, ServiceApp } from '@vanthu/platform';
import { serviceVersion } from './config';
import { documentRoutes } from './routes/documents';
import type { BlobStore } from './storage/blob-store';

export type DocumentsAppDeps = {
  logger: Logger;
  pool: Pool;
  blobs: BlobStore;
  identityPublicKey: string;
  topicPrefix: string;
  maxUploadBytes: number;
  healthChecks?: HealthCheck[];
};

export async function buildApp(deps: DocumentsAppDeps): Promise<ServiceApp> {
  const app = await buildServiceApp({
    name: 'documents',
    version: serviceVersion,
    description: 'Documents, versions and content-addressed content of an agency (văn bản, phiên bản).',
    logger: deps.logger,
    identityPublicKey: deps.identityPublicKey,
    healthChecks: deps.healthChecks ?? [],
  });
  // Limits are enforced while streaming, so an oversized upload is refused without being held in memory.
  await app.register(multipart, {
    limits: { fileSize: deps.maxUploadBytes, files: 1, fields: 4, parts: 5, fieldSize: 64 * 1024, headerPairs: 100 },
  });
  await documentRoutes(app, { pool: deps.pool, blobs: deps.blobs, topicPrefix: deps.topicPrefix, source: '/vanthu/documents' });
  return app;
}
