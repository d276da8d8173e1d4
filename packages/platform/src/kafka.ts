import { Kafka, logLevel } from 'kafkajs';
import type { Admin, Consumer, Producer, logCreator } from 'kafkajs';
import type { Logger } from './logger';

export type KafkaSettings = { brokers: string[]; clientId: string; topicPrefix: string };

// kafkajs logs through its own creator; route it into pino so one service has one log stream.
function pinoLogCreator(logger: Logger): logCreator {
  return () =>
    ({ level, log }) => {
      const { message, ...extra } = log;
      const entry = { kafka: { namespace: log.namespace, ...extra } };
      if (level === logLevel.ERROR) logger.error(entry, message);
      else if (level === logLevel.WARN) logger.warn(entry, message);
      else if (level === logLevel.INFO) logger.debug(entry, message);
    };
}

export function createKafka(settings: KafkaSettings, logger: Logger): Kafka {
  return new Kafka({
    clientId: settings.clientId,
    brokers: settings.brokers,
    connectionTimeout: 3_000,
    requestTimeout: 10_000,
    logLevel: logLevel.WARN,
    logCreator: pinoLogCreator(logger),
    retry: { initialRetryTime: 300, retries: 5 },
  });
}

/**
 * Idempotent producer (one in-flight request) so kafkajs' own retries never duplicate or
 * reorder a batch within a partition; the outbox relay adds retries across restarts.
 */
export function createProducer(kafka: Kafka): Producer {
  return kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
}

/** Creates the topics before anyone subscribes (kafkajs fails on subscribe to a missing topic, kafkajs#1563). */
export async function ensureTopics(kafka: Kafka, topics: { topic: string; numPartitions: number }[]): Promise<void> {
  const admin: Admin = kafka.admin({ retry: { retries: 2 } });
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = topics.filter((t) => !existing.has(t.topic));
    if (missing.length > 0) {
      await admin.createTopics({ waitForLeaders: true, topics: missing.map((t) => ({ ...t, replicationFactor: 1 })) });
    }
  } finally {
    await admin.disconnect();
  }
}

/** A cheap liveness probe of the cluster for readiness checks. */
export async function pingKafka(kafka: Kafka): Promise<void> {
  const admin = kafka.admin({ retry: { retries: 0 } });
  await admin.connect();
  try {
    await admin.describeCluster();
  } finally {
    await admin.disconnect();
  }
}

/**
 * How far a consumer group is behind, per topic: the sum over partitions of the high-water mark minus the group's
 * committed offset (a partition the group never committed counts from its low-water mark). Used for `/metrics`.
 */
export async function consumerLag(
  kafka: Kafka,
  groupId: string,
  topics: string[],
): Promise<{ topic: string; lag: number }[]> {
  const [lags] = await consumerLags(kafka, [{ groupId, topics }]);
  return lags ?? [];
}

/**
 * The lag of several consumer groups through one admin connection (a metrics scrape measures every consumer of
 * the process: one connection for all of them, not one each). A group Kafka cannot answer for throws.
 */
export async function consumerLags(
  kafka: Kafka,
  groups: { groupId: string; topics: string[] }[],
): Promise<{ topic: string; lag: number }[][]> {
  const admin = kafka.admin({ retry: { retries: 0 } });
  await admin.connect();
  try {
    const ends = new Map<string, Awaited<ReturnType<typeof admin.fetchTopicOffsets>>>();
    const result: { topic: string; lag: number }[][] = [];
    for (const { groupId, topics } of groups) {
      const committed = await admin.fetchOffsets({ groupId, topics });
      const lags: { topic: string; lag: number }[] = [];
      for (const { topic, partitions } of committed) {
        if (!ends.has(topic)) ends.set(topic, await admin.fetchTopicOffsets(topic));
        let lag = 0;
        for (const end of ends.get(topic) ?? []) {
          const mark = partitions.find((p) => p.partition === end.partition)?.offset ?? '-1';
          const from = Number(mark) >= 0 ? Number(mark) : Number(end.low);
          lag += Math.max(0, Number(end.high) - from);
        }
        lags.push({ topic, lag });
      }
      result.push(lags);
    }
    return result;
  } finally {
    await admin.disconnect();
  }
}

export type { Kafka, Consumer, Producer };
