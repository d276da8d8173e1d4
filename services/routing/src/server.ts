import { topicName } from '@vanthu/contracts';
import { runService } from '@vanthu/platform';
import { buildApp } from './app';
import { migrationsDir, routingConfigSchema } from './config';
import { certificateProjectionHandlers } from './gating/certificate-projection';
import { registerDeadlineHandlers, TimerWorker } from './timers';

let timerWorker: TimerWorker | undefined;

void runService({
  name: 'routing',
  configSchema: routingConfigSchema,
  migrationsDir,
  topics: ['vanthu.routing', 'vanthu.documents', 'vanthu.signing'],
  consumers: (context) => [
    {
      consumer: `${context.config.KAFKA_TOPIC_PREFIX}routing-certificate-gating`,
      topics: [topicName('vanthu.signing', context.config.KAFKA_TOPIC_PREFIX)],
      handlers: certificateProjectionHandlers(),
    },
  ],
  beforeListen: async (context) => {
    registerDeadlineHandlers();
    timerWorker = new TimerWorker({
      pool: context.pool,
      logger: context.logger,
      topicPrefix: context.config.KAFKA_TOPIC_PREFIX,
    });
    timerWorker.start();
  },
  onClose: async () => timerWorker?.stop(),
  buildApp: async (context) =>
    buildApp({
      logger: context.logger,
      identityPublicKey: context.identityPublicKey,
      healthChecks: context.healthChecks,
      pool: context.pool,
    }),
});
