import { runService } from '@vanthu/platform';
import { buildApp } from './app';
import { migrationsDir, reportingConfigSchema } from './config';
import { reportingConsumer, reportingTopics } from './events/consumers';
import { SubmissionWorker } from './submission-worker';
import { KafkaWatermarks } from './adapters/kafka-watermarks';
import { SigningReportSealer } from './adapters/report-sealer';
import type { ReportSealer } from './adapters/report-sealer';

let submissionWorker: SubmissionWorker | undefined;
let watermarks: KafkaWatermarks | undefined;
let sealer: ReportSealer | undefined;

void runService({
  name: 'reporting',
  configSchema: reportingConfigSchema,
  migrationsDir,
  topics: [...reportingTopics, 'vanthu.reporting'],
  consumers: (context) => [reportingConsumer(context.config.CONSUMER_GROUP, context.config.KAFKA_TOPIC_PREFIX)],
  beforeListen: async (context) => {
    if (context.config.SIGNING_URL && context.serviceIdentity)
      sealer = new SigningReportSealer(context.config.SIGNING_URL, context.serviceIdentity);
    else
      context.logger.warn('SIGNING_URL or SERVICE_IDENTITY_PRIVATE_KEY_FILE not set: submitted reports are not sealed');
    const { consumer, topics } = reportingConsumer(context.config.CONSUMER_GROUP, context.config.KAFKA_TOPIC_PREFIX);
    watermarks = new KafkaWatermarks({
      kafka: context.kafka,
      logger: context.logger,
      topics,
      groupId: consumer,
      intervalMs: context.config.FRESHNESS_POLL_INTERVAL_MS,
    });
    watermarks.start();
    submissionWorker = new SubmissionWorker({
      pool: context.pool,
      logger: context.logger,
      consumer: reportingConsumer(context.config.CONSUMER_GROUP, context.config.KAFKA_TOPIC_PREFIX).consumer,
      fonts: { regular: context.config.REPORT_FONT_REGULAR_PATH, bold: context.config.REPORT_FONT_BOLD_PATH },
      topicPrefix: context.config.KAFKA_TOPIC_PREFIX,
      intervalMs: context.config.SUBMISSION_CHECK_INTERVAL_MS,
      watermarks,
      ...(sealer ? { sealer } : {}),
    });
    submissionWorker.start();
  },
  onClose: async () => {
    await submissionWorker?.stop();
    await watermarks?.stop();
  },
  buildApp: async (context) =>
    buildApp({
      logger: context.logger,
      pool: context.pool,
      identityPublicKey: context.identityPublicKey,
      consumer: reportingConsumer(context.config.CONSUMER_GROUP, context.config.KAFKA_TOPIC_PREFIX).consumer,
      fonts: { regular: context.config.REPORT_FONT_REGULAR_PATH, bold: context.config.REPORT_FONT_BOLD_PATH },
      topicPrefix: context.config.KAFKA_TOPIC_PREFIX,
      ...(watermarks ? { watermarks } : {}),
      healthChecks: context.healthChecks,
      ...(sealer ? { sealer } : {}),
    }),
});
