export { buildApp } from './app';
export { reportingConsumer, reportingHandlers } from './events/consumers';
export { migrationsDir } from './config';
export { SubmissionWorker } from './submission-worker';
export { KafkaWatermarks } from './adapters/kafka-watermarks';
