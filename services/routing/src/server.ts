import { topicName } from '@vanthu/contracts';
import fs from 'node:fs';
import { createServiceClaimSigner, runService, systemClock } from '@vanthu/platform';
import type { ServiceContext } from '@vanthu/platform';
import { buildApp } from './app';
import { DocumentsClient } from './clients/documents-client';
import { SigningClient } from './clients/signing-client';
import { migrationsDir, routingConfigSchema } from './config';
import type { RoutingConfig } from './config';
import type { RoutingDeps } from './domain/routing-context';
import { routingConsumers } from './events/consumers';
import { registerEscalationHandler } from './events/escalation-timer';
import { registerConsultationTimerHandlers } from './consultations/consultation-timers';
import { certificateProjectionHandlers } from './gating/certificate-projection';
import { moduleTimers } from './module-timers';
import { statementReader } from './routes/context';
import { withWriteBuffer } from './domain/write-buffer';
import { registerDeadlineHandlers, TimerWorker } from './timers';

let timerWorker: TimerWorker | undefined;

const routingDeps = (context: ServiceContext<RoutingConfig>): RoutingDeps => ({
  documents: new DocumentsClient(context.config.DOCUMENTS_URL),
  signing: new SigningClient(context.config.SIGNING_URL),
  events: { topicPrefix: context.config.KAFKA_TOPIC_PREFIX, source: '/vanthu/routing' },
  timers: moduleTimers(systemClock),
  ...(context.serviceIdentity ? { serviceIdentity: context.serviceIdentity } : {}),
  localAgencies: context.config.LOCAL_AGENCIES.split(',').filter((code) => code.length > 0),
  autocommit: statementReader(context.pool),
  ...(context.config.SERVICE_IDENTITY_PRIVATE_KEY_FILE
    ? {
        serviceClaims: createServiceClaimSigner(
          fs.readFileSync(context.config.SERVICE_IDENTITY_PRIVATE_KEY_FILE, 'utf8'),
          'routing',
        ),
      }
    : {}),
});

void runService({
  name: 'routing',
  configSchema: routingConfigSchema,
  migrationsDir,
  topics: ['vanthu.routing', 'vanthu.documents', 'vanthu.signing', 'vanthu.exchange'],
  consumers: (context) => [
    {
      consumer: `${context.config.KAFKA_TOPIC_PREFIX}routing-certificate-gating`,
      topics: [topicName('vanthu.signing', context.config.KAFKA_TOPIC_PREFIX)],
      handlers: certificateProjectionHandlers(),
    },
    ...routingConsumers(
      { ...routingDeps(context), logger: context.logger, clock: systemClock },
      context.config.KAFKA_TOPIC_PREFIX,
    ),
  ],
  beforeListen: async (context) => {
    registerDeadlineHandlers();
    // After the deadline handlers: the engine's escalation handler moves the task as well as announcing it.
    registerEscalationHandler({ ...routingDeps(context), logger: context.logger, clock: systemClock });
    registerConsultationTimerHandlers();
    timerWorker = new TimerWorker({
      pool: context.pool,
      bufferWrites: withWriteBuffer,
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
      ...(context.servicePublicKey ? { servicePublicKey: context.servicePublicKey } : {}),
      healthChecks: context.healthChecks,
      pool: context.pool,
      routing: routingDeps(context),
    }),
});
