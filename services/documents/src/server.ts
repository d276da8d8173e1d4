import { runService } from '@vanthu/platform';
import { buildApp } from './app';
import { documentsConfigSchema, migrationsDir } from './config';
import { BlobStore } from './storage/blob-store';

void runService({
  name: 'documents',
  configSchema: documentsConfigSchema,
  migrationsDir,
  topics: ['vanthu.documents'],
  buildApp: async (context) => {
    const blobs = new BlobStore(context.config.BLOB_DIR);
    await blobs.init();
    return buildApp({
      logger: context.logger,
      pool: context.pool,
      blobs,
      identityPublicKey: context.identityPublicKey,
      topicPrefix: context.config.KAFKA_TOPIC_PREFIX,
      maxUploadBytes: context.config.MAX_UPLOAD_BYTES,
      healthChecks: context.healthChecks,
    });
  },
});
