export { buildApp } from './app';
export { migrationsDir } from './config';
export { createWebhookSender } from './adapters/webhook-sender';
export { DeliveryWorker } from './worker';
export { notificationsConsumer } from './events/consumers';
