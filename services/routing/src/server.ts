import { runService } from '@vanthu/platform';
import { buildApp } from './app';
import { migrationsDir, routingConfigSchema } from './config';

void runService({
  name: 'routing',
  configSchema: routingConfigSchema,
  migrationsDir,
  topics: ['vanthu.routing', 'vanthu.documents', 'vanthu.signing'],
  buildApp: async (context) =>
    buildApp({
      logger: context.logger,
      identityPublicKey: context.identityPublicKey,
      healthChecks: context.healthChecks,
    }),
});
