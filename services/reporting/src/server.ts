import { runService } from '@vanthu/platform';
import { buildApp } from './app';
import { migrationsDir, reportingConfigSchema } from './config';
import { reportingConsumer, reportingTopics } from './events/consumers';

void runService({
  name: 'reporting',
  configSchema: reportingConfigSchema,
  migrationsDir,
  topics: reportingTopics,
  consumers: (context) => [reportingConsumer(context.config.CONSUMER_GROUP, context.config.KAFKA_TOPIC_PREFIX)],
  buildApp: async (context) =>
    buildApp({
      logger: context.logger,
      pool: context.pool,
      identityPublicKey: context.identityPublicKey,
      consumer: reportingConsumer(context.config.CONSUMER_GROUP, context.config.KAFKA_TOPIC_PREFIX).consumer,
      fonts: { regular: context.config.REPORT_FONT_REGULAR_PATH, bold: context.config.REPORT_FONT_BOLD_PATH },
      healthChecks: context.healthChecks,
    }),
});
