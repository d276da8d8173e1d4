import { runService } from '@vanthu/platform';
import { buildApp } from './app';
import { migrationsDir, reportingConfigSchema } from './config';
import { reportingConsumer, reportingTopics } from './events/consumers';
import { SubmissionWorker } from './submission-worker';

let submissionWorker: SubmissionWorker | undefined;

void runService({
  name: 'reporting',
  configSchema: reportingConfigSchema,
  migrationsDir,
  topics: [...reportingTopics, 'vanthu.reporting'],
  consumers: (context) => [reportingConsumer(context.config.CONSUMER_GROUP, context.config.KAFKA_TOPIC_PREFIX)],
  beforeListen: async (context) => {
    submissionWorker = new SubmissionWorker({
      pool: context.pool,
      logger: context.logger,
      consumer: reportingConsumer(context.config.CONSUMER_GROUP, context.config.KAFKA_TOPIC_PREFIX).consumer,
      fonts: { regular: context.config.REPORT_FONT_REGULAR_PATH, bold: context.config.REPORT_FONT_BOLD_PATH },
      topicPrefix: context.config.KAFKA_TOPIC_PREFIX,
      intervalMs: context.config.SUBMISSION_CHECK_INTERVAL_MS,
    });
    submissionWorker.start();
  },
  onClose: async () => submissionWorker?.stop(),
  buildApp: async (context) =>
    buildApp({
      logger: context.logger,
      pool: context.pool,
      identityPublicKey: context.identityPublicKey,
      consumer: reportingConsumer(context.config.CONSUMER_GROUP, context.config.KAFKA_TOPIC_PREFIX).consumer,
      fonts: { regular: context.config.REPORT_FONT_REGULAR_PATH, bold: context.config.REPORT_FONT_BOLD_PATH },
      topicPrefix: context.config.KAFKA_TOPIC_PREFIX,
      healthChecks: context.healthChecks,
    }),
});
