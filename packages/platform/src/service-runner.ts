import fs from 'node:fs';
import { Type } from '@sinclair/typebox';
import type { Static, TObject, TProperties } from '@sinclair/typebox';
import { topicPartitions, topicName } from '@vanthu/contracts';
import type { TopicName } from '@vanthu/contracts';
import { ConfigError, loadConfig } from './config';
import { checkDatabase, createPool, describeDatabaseUrl } from './db';
import type { Pool } from './db';
import { consumerLags, createKafka, createProducer, ensureTopics, pingKafka } from './kafka';
import { collectProcessMetrics, registerGauge, sharedForAScrape } from './metrics';
import type { Kafka, Producer } from './kafka';
import { createLogger } from './logger';
import type { Logger } from './logger';
import { runMigrations } from './migrate';
import { OutboxRelay } from './outbox';
import { InboxConsumer } from './inbox';
import type { InboxConsumerOptions } from './inbox';
import type { ServiceApp } from './http';
import type { HealthCheck } from './health';
import { createServiceIdentitySigner } from './identity';
import { useProcessProofKeys } from './request-proof';
import type { ServiceProofKeys } from './request-proof';
import { flushTraces } from './tracing';

/** Configuration every service reads; each service adds its own properties. */
export const serviceConfigProperties = {
  HOST: Type.String({ default: '127.0.0.1' }),
  PORT: Type.Integer({ minimum: 0, maximum: 65535 }),
  DATABASE_URL: Type.String({ pattern: '^postgres(ql)?://' }),
  KAFKA_BROKERS: Type.String({ default: '127.0.0.1:9092', pattern: '^[^,\\s]+:[0-9]+(,[^,\\s]+:[0-9]+)*$' }),
  KAFKA_TOPIC_PREFIX: Type.String({ default: '', pattern: '^[A-Za-z0-9._-]*$' }),
  IDENTITY_PUBLIC_KEY_FILE: Type.String({ minLength: 1, description: 'PEM public key of the gateway identity signer' }),
  SERVICE_IDENTITY_PUBLIC_KEY_FILE: Type.Optional(
    Type.String({ minLength: 1, description: 'PEM public key of the service identity signer' }),
  ),
  SERVICE_IDENTITY_PRIVATE_KEY_FILE: Type.Optional(
    Type.String({
      minLength: 1,
      description: 'Key to sign service assertions (only services that call others from event consumers)',
    }),
  ),
  REQUEST_PROOF_KEYS_FILE: Type.Optional(
    Type.String({
      minLength: 1,
      description:
        "JSON of this service's request proof keys (infra writes it): every /v1 request must then carry a proof made for it, and calls to other services carry this service's; required in production",
    }),
  ),
  LOG_LEVEL: Type.Union(
    [
      Type.Literal('fatal'),
      Type.Literal('error'),
      Type.Literal('warn'),
      Type.Literal('info'),
      Type.Literal('debug'),
      Type.Literal('trace'),
    ],
    {
      default: 'info',
    },
  ),
  STARTUP_TIMEOUT_MS: Type.Integer({ minimum: 1000, default: 15_000 }),
  DATABASE_POOL_SIZE: Type.Integer({
    minimum: 2,
    maximum: 200,
    default: 10,
    description: 'PostgreSQL connections the service keeps at most',
  }),
  DATABASE_CONNECT_TIMEOUT_MS: Type.Integer({
    minimum: 100,
    default: 30_000,
    description: 'How long a request waits for a PostgreSQL connection before failing',
  }),
} satisfies TProperties;

export type ServiceConfig = Static<TObject<typeof serviceConfigProperties>>;

export type ServiceContext<C extends ServiceConfig> = {
  config: C;
  logger: Logger;
  pool: Pool;
  kafka: Kafka;
  producer: Producer;
  relay: OutboxRelay;
  identityPublicKey: string;
  /** The service identity public key, when other services may call this one from their consumers. */
  servicePublicKey?: string;
  /** Signs this service's own assertion for an agency, when a service private key is configured. */
  serviceIdentity?: (agencyCode: string) => string;
  /** Health checks for PostgreSQL, Kafka and the outbox backlog, for the app's /health. */
  healthChecks: HealthCheck[];
};

export type ServiceDefinition<S extends TObject> = {
  name: string;
  configSchema: S;
  migrationsDir: string;
  /** Topics this service publishes to or consumes; created before anyone subscribes. */
  topics: TopicName[];
  buildApp: (context: ServiceContext<Static<S> & ServiceConfig>) => Promise<ServiceApp>;
  consumers?: (
    context: ServiceContext<Static<S> & ServiceConfig>,
  ) => Omit<InboxConsumerOptions, 'kafka' | 'pool' | 'logger'>[];
  /** Service-specific start-up (e.g. opening the HSM); failures abort the start like any other. */
  beforeListen?: (context: ServiceContext<Static<S> & ServiceConfig>) => Promise<void>;
  onClose?: () => Promise<void>;
};

class StartupError extends Error {}

/** What only the runner knows, measured when Prometheus scrapes: the outbox backlog and each consumer's lag. */
function registerRunnerMetrics(
  service: string,
  relay: OutboxRelay,
  kafka: Kafka,
  consumers: Omit<InboxConsumerOptions, 'kafka' | 'pool' | 'logger'>[],
  logger: Logger,
): void {
  collectProcessMetrics();
  // The two outbox gauges are collected one after the other in one scrape: they share one query.
  const backlog = sharedForAScrape(() => relay.backlog());
  registerGauge(
    'vanthu_outbox_pending_events',
    'Events committed but not yet published to Kafka',
    ['service'],
    async () => [{ labels: { service }, value: (await backlog()).pending }],
  );
  registerGauge(
    'vanthu_outbox_oldest_pending_seconds',
    'How long the oldest unpublished event has waited: the relay lag',
    ['service'],
    async () => [{ labels: { service }, value: (await backlog()).oldestAgeSeconds }],
  );
  registerGauge(
    'vanthu_kafka_consumer_lag',
    'Messages on the topic not yet consumed by the group (high-water mark minus committed offset)',
    ['service', 'consumer', 'topic'],
    async () => {
      if (consumers.length === 0) return [];
      try {
        const lags = await consumerLags(
          kafka,
          consumers.map((c) => ({ groupId: c.groupId ?? c.consumer, topics: c.topics })),
        );
        return consumers.flatMap((consumer, i) =>
          (lags[i] ?? []).map(({ topic, lag }) => ({
            labels: { service, consumer: consumer.consumer, topic },
            value: lag,
          })),
        );
      } catch (error) {
        // Kafka down: the lag is unknown, which is what the missing series says; the scrape still answers.
        logger.debug({ err: error }, 'consumer lag not measured');
        return [];
      }
    },
  );
}

async function retryUntil<T>(what: string, timeoutMs: number, attempt: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      return await attempt();
    } catch (error) {
      lastError = error;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
  throw new StartupError(`${what}: ${(lastError as Error)?.message ?? 'timed out'}`);
}

/**
 * Starts a service fully or not at all: configuration, PostgreSQL and migrations, Kafka
 * topics, the outbox relay and consumers, then the HTTP listener. Any failure ends the
 * process with a clear message and a non-zero exit, never a half-started service.
 */
export async function runService<S extends TObject>(definition: ServiceDefinition<S>): Promise<void> {
  let config: Static<S> & ServiceConfig;
  try {
    config = loadConfig(definition.name, definition.configSchema) as Static<S> & ServiceConfig;
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
  const logger = createLogger(definition.name, config.LOG_LEVEL);
  const closers: (() => Promise<unknown>)[] = [];
  const fail = async (message: string, error?: unknown): Promise<never> => {
    logger.fatal({ err: error }, message);
    process.stderr.write(`${definition.name}: ${message}\n`);
    for (const close of closers.reverse()) await close().catch(() => undefined);
    process.exit(1);
  };

  try {
    const identityPublicKey = fs.readFileSync(config.IDENTITY_PUBLIC_KEY_FILE, 'utf8');
    if (config.REQUEST_PROOF_KEYS_FILE) {
      const keys = JSON.parse(fs.readFileSync(config.REQUEST_PROOF_KEYS_FILE, 'utf8')) as ServiceProofKeys;
      if (keys.service !== definition.name)
        throw new Error(`REQUEST_PROOF_KEYS_FILE holds the keys of ${keys.service}, not ${definition.name}`);
      useProcessProofKeys(keys);
    } else if (process.env.NODE_ENV === 'production') {
      throw new Error(
        'REQUEST_PROOF_KEYS_FILE is required in production: without it a captured assertion is replayable',
      );
    }
    const pool = createPool(config.DATABASE_URL, {
      max: config.DATABASE_POOL_SIZE,
      connectionTimeoutMs: config.DATABASE_CONNECT_TIMEOUT_MS,
      applicationName: definition.name,
      onIdleError: (error) => logger.warn({ err: error }, 'idle PostgreSQL connection lost'),
    });
    closers.push(() => pool.end());
    await retryUntil(
      `cannot reach PostgreSQL at ${describeDatabaseUrl(config.DATABASE_URL)}`,
      config.STARTUP_TIMEOUT_MS,
      () => checkDatabase(pool),
    );
    await runMigrations(config.DATABASE_URL, definition.migrationsDir, logger);

    const kafka = createKafka(
      { brokers: config.KAFKA_BROKERS.split(','), clientId: definition.name, topicPrefix: config.KAFKA_TOPIC_PREFIX },
      logger,
    );
    const topics = definition.topics.map((t) => ({
      topic: topicName(t, config.KAFKA_TOPIC_PREFIX),
      numPartitions: topicPartitions[t],
    }));
    await retryUntil(`cannot reach Kafka at ${config.KAFKA_BROKERS}`, config.STARTUP_TIMEOUT_MS, () =>
      ensureTopics(kafka, topics),
    );
    const producer = createProducer(kafka);
    closers.push(() => producer.disconnect());
    const relay = new OutboxRelay({ pool, databaseUrl: config.DATABASE_URL, producer, logger });
    const healthChecks: HealthCheck[] = [
      { name: 'postgres', check: () => checkDatabase(pool) },
      { name: 'kafka', check: () => pingKafka(kafka) },
      { name: 'outbox', check: async () => ({ pending: await relay.pendingCount() }) },
    ];
    const context: ServiceContext<Static<S> & ServiceConfig> = {
      config,
      logger,
      pool,
      kafka,
      producer,
      relay,
      identityPublicKey,
      healthChecks,
    };
    if (config.SERVICE_IDENTITY_PUBLIC_KEY_FILE)
      context.servicePublicKey = fs.readFileSync(config.SERVICE_IDENTITY_PUBLIC_KEY_FILE, 'utf8');
    if (config.SERVICE_IDENTITY_PRIVATE_KEY_FILE) {
      context.serviceIdentity = createServiceIdentitySigner(
        fs.readFileSync(config.SERVICE_IDENTITY_PRIVATE_KEY_FILE, 'utf8'),
        definition.name,
      );
    }

    await relay.start();
    closers.push(() => relay.stop());
    const consumerDefinitions = definition.consumers?.(context) ?? [];
    registerRunnerMetrics(definition.name, relay, kafka, consumerDefinitions, logger);
    for (const consumerOptions of consumerDefinitions) {
      const consumer = new InboxConsumer({ ...consumerOptions, kafka, pool, logger });
      await retryUntil(`cannot start consumer ${consumerOptions.consumer}`, config.STARTUP_TIMEOUT_MS, () =>
        consumer.start(),
      );
      closers.push(() => consumer.stop());
    }
    if (definition.beforeListen) await definition.beforeListen(context);
    if (definition.onClose) closers.push(definition.onClose);

    const app = await definition.buildApp(context);
    closers.push(() => app.close());
    await app.listen({ host: config.HOST, port: config.PORT });
    logger.info({ port: config.PORT }, `${definition.name} ready`);

    let stopping = false;
    const stop = async (signal: string): Promise<void> => {
      if (stopping) return;
      stopping = true;
      logger.info({ signal }, `${definition.name} stopping`);
      // A dependency that hangs while closing (a Kafka client retrying a dead broker) must not
      // keep the process alive: whatever is not closed in time is abandoned.
      setTimeout(() => {
        logger.warn('shutdown did not finish in 10 s; exiting anyway');
        process.exit(1);
      }, 10_000).unref();
      for (const close of closers.reverse())
        await close().catch((error: unknown) => logger.warn({ err: error }, 'error while stopping'));
      await flushTraces().catch(() => undefined);
      process.exit(0);
    };
    process.once('SIGTERM', () => void stop('SIGTERM'));
    process.once('SIGINT', () => void stop('SIGINT'));
  } catch (error) {
    await fail(error instanceof StartupError ? error.message : `start-up failed: ${(error as Error).message}`, error);
  }
}
