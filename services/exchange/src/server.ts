import { runService } from '@vanthu/platform';
import { buildApp } from './app';
import { exchangeConfigSchema, migrationsDir } from './config';

void runService({
  name: 'exchange',
  configSchema: exchangeConfigSchema,
  migrationsDir,
  topics: ['vanthu.exchange', 'vanthu.routing'],
  buildApp: async (context) =>
    buildApp({
      logger: context.logger,
      pool: context.pool,
      identityPublicKey: context.identityPublicKey,
      ...(context.servicePublicKey ? { servicePublicKey: context.servicePublicKey } : {}),
      healthChecks: context.healthChecks,
      maxMessageBytes: context.config.MAX_MESSAGE_BYTES,
    }),
});
