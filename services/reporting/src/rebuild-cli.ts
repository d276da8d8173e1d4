import { createKafka, createLogger, createPool, loadConfig, systemClock, withTransaction } from '@vanthu/platform';
import { topicName } from '@vanthu/contracts';
import { reportingConfigSchema } from './config';
import { reportingConsumer, reportingTopics } from './events/consumers';
import { rebuildProjections } from './domain/rebuild-projections';

// `npm run reporting:rebuild`: with the reporting service's environment (DATABASE_URL, KAFKA_BROKERS,
// KAFKA_TOPIC_PREFIX, CONSUMER_GROUP), empties the projections and replays the topics from offset 0.
async function main(): Promise<void> {
  const config = loadConfig('reporting', reportingConfigSchema);
  const logger = createLogger('reporting-rebuild', config.LOG_LEVEL);
  const pool = createPool(config.DATABASE_URL);
  const kafka = createKafka(
    { brokers: config.KAFKA_BROKERS.split(','), clientId: 'reporting-rebuild', topicPrefix: config.KAFKA_TOPIC_PREFIX },
    logger,
  );
  const live = reportingConsumer(config.CONSUMER_GROUP, config.KAFKA_TOPIC_PREFIX);
  try {
    const outcome = await rebuildProjections(
      {
        topics: reportingTopics.map((topic) => topicName(topic, config.KAFKA_TOPIC_PREFIX)),
        handlers: live.handlers,
        batchSize: live.batchSize,
        writeBatch: live.writeBatch,
      },
      {
        identity: { userId: 'service:reporting', agencyCode: '', roles: ['service'] },
        requestId: `rebuild-${Date.now()}`,
        runInTransaction: async (work) => ({ result: await withTransaction(pool, work), replayed: false }),
        clock: systemClock,
        logger,
        kafka,
        pool,
        consumer: live.consumer,
      },
    );
    process.stdout.write(`${JSON.stringify(outcome)}\n`);
  } finally {
    await pool.end();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`reporting rebuild failed: ${(error as Error).message}\n`);
  process.exit(1);
});
