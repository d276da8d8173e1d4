import { runService } from '@vanthu/platform';
import { buildApp } from './app';
import { documentsConfigSchema, migrationsDir } from './config';
import { BlobStore } from '@vanthu/platform';
import { TextIndexer } from './adapters/text-indexer';
import { remindHandovers } from './dossiers/remind-handovers';
import { sweepOrphanBlobs } from './storage/sweep-orphan-blobs';

void runService({
  name: 'documents',
  configSchema: documentsConfigSchema,
  migrationsDir,
  topics: ['vanthu.documents'],
  buildApp: async (context) => {
    const blobs = new BlobStore(context.config.BLOB_DIR);
    await blobs.init();
    const textIndexer = new TextIndexer({ pool: context.pool, blobs, logger: context.logger });
    // The first pass picks up whatever a crash left unindexed.
    textIndexer.signal();
    const app = await buildApp({
      logger: context.logger,
      pool: context.pool,
      blobs,
      textIndexer,
      identityPublicKey: context.identityPublicKey,
      ...(context.servicePublicKey ? { servicePublicKey: context.servicePublicKey } : {}),
      topicPrefix: context.config.KAFKA_TOPIC_PREFIX,
      maxUploadBytes: context.config.MAX_UPLOAD_BYTES,
      numbering: {
        ...(context.config.NUMBERING_CONCURRENCY ? { concurrency: context.config.NUMBERING_CONCURRENCY } : {}),
        maxQueued: context.config.NUMBERING_MAX_QUEUED,
      },
      healthChecks: context.healthChecks,
    });
    // Hand-over reminders are a daily matter and orphan blobs wait a day anyway: hourly (and at start) is plenty.
    let sweeping = false;
    const sweep = (): void => {
      // A large store may take longer than the interval; one pass at a time per instance.
      if (sweeping) return;
      sweeping = true;
      sweepOrphanBlobs(
        { graceMs: context.config.BLOB_SWEEP_GRACE_HOURS * 60 * 60 * 1000 },
        { pool: context.pool, blobs, logger: context.logger },
      )
        .catch((error: unknown) =>
          context.logger.error({ err: error }, 'orphan blob sweep failed; the next hourly pass retries'),
        )
        .finally(() => {
          sweeping = false;
        });
    };
    const remind = (): void => {
      remindHandovers(
        {},
        {
          pool: context.pool,
          topicPrefix: context.config.KAFKA_TOPIC_PREFIX,
          source: '/vanthu/documents',
        },
      ).catch((error: unknown) =>
        context.logger.error({ err: error }, 'hand-over reminders failed; the next hourly pass retries'),
      );
    };
    const timer = setInterval(
      () => {
        remind();
        sweep();
      },
      60 * 60 * 1000,
    );
    timer.unref();
    remind();
    sweep();
    app.addHook('onClose', async () => clearInterval(timer));
    return app;
  },
});
