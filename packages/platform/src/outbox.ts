import type { Client } from 'pg';
import pg from 'pg';
import type { Producer } from 'kafkajs';
import type { EventDefinition } from '@vanthu/contracts';
import { createEvent, toKafkaHeaders } from './events';
import type { CloudEvent, EventContext } from './events';
import type { Pool, Tx } from './db';
import type { Logger } from './logger';
import { inPublishSpans } from './tracing';

/**
 * Writes the event into the outbox inside the caller's transaction: it is published if and
 * only if the business change commits (ARCHITECTURE.md "Events").
 */
export async function enqueueEvent<T>(
  tx: Tx,
  definition: EventDefinition,
  aggregateId: string,
  data: T,
  context: EventContext,
  topicPrefix = '',
): Promise<CloudEvent<T>> {
  const event = createEvent(definition, aggregateId, data, context);
  await tx.query(
    `INSERT INTO outbox (${outboxColumns}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
    outboxRowValues(definition, aggregateId, event, topicPrefix),
  );
  return event;
}

/**
 * The columns of an event's outbox row, in the order of `outboxColumns`, for a repository that writes the row inside
 * a larger statement of its own (one round trip instead of two; same guarantees as `enqueueEvent`: the row commits or
 * rolls back with the change). `data` is the event's data as JSON text.
 */
export const outboxColumns = 'event_id, topic, message_key, event_type, source, subject, occurred_at, data, extensions';

export function outboxRowValues<T>(
  definition: EventDefinition,
  aggregateId: string,
  event: CloudEvent<T>,
  topicPrefix = '',
): [string, string, string, string, string, string | null, string, string, string] {
  return [
    event.id,
    `${topicPrefix}${definition.topic}`,
    aggregateId,
    event.type,
    event.source,
    event.subject ?? null,
    event.time,
    JSON.stringify(event.data),
    JSON.stringify({ ...event.extensions, dataschema: event.dataschema }),
  ];
}

/**
 * Writes several events of one type into the outbox with one statement, inside the caller's transaction
 * (for bulk producers such as routing's timer worker); same guarantees as `enqueueEvent`.
 */
export async function enqueueEvents<T>(
  tx: Tx,
  definition: EventDefinition,
  items: { aggregateId: string; data: T; context: EventContext }[],
  topicPrefix = '',
): Promise<CloudEvent<T>[]> {
  if (items.length === 0) return [];
  const events = items.map((item) => createEvent(definition, item.aggregateId, item.data, item.context));
  await tx.query(
    `INSERT INTO outbox (event_id, topic, message_key, event_type, source, subject, occurred_at, data, extensions)
     SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::timestamptz[],
       $8::jsonb[], $9::jsonb[])`,
    [
      events.map((e) => e.id),
      events.map(() => `${topicPrefix}${definition.topic}`),
      items.map((item) => item.aggregateId),
      events.map((e) => e.type),
      events.map((e) => e.source),
      events.map((e) => e.subject ?? null),
      events.map((e) => e.time),
      events.map((e) => JSON.stringify(e.data)),
      events.map((e) => JSON.stringify({ ...e.extensions, dataschema: e.dataschema })),
    ],
  );
  return events;
}

type OutboxRow = {
  position: number;
  event_id: string;
  topic: string;
  message_key: string;
  event_type: string;
  source: string;
  subject: string | null;
  occurred_at: Date;
  data: unknown;
  extensions: Record<string, string>;
};

export type OutboxRelayOptions = {
  pool: Pool;
  databaseUrl: string;
  producer: Producer;
  logger: Logger;
  batchSize?: number;
  pollIntervalMs?: number;
  maxBackoffMs?: number;
};

// Only one relay per database publishes at a time, so events of one aggregate leave in the
// order they were written even when several replicas of a service run.
const relayLockKey = 0x7661_6e74; // "vant"

/**
 * Publishes outbox rows to Kafka. Woken by NOTIFY for low latency, polling as a safety net;
 * rows are claimed with FOR UPDATE SKIP LOCKED, marked published only after Kafka acknowledged
 * them, and retried with exponential backoff while Kafka is unreachable, so nothing committed
 * is ever lost. A crash between send and mark re-sends: consumers de-duplicate by event id.
 */
export class OutboxRelay {
  private readonly options: Required<Omit<OutboxRelayOptions, 'pool' | 'databaseUrl' | 'producer' | 'logger'>> &
    OutboxRelayOptions;
  private listener: Client | undefined;
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private draining: Promise<void> | undefined;
  private wakeAgain = false;
  private failures = 0;
  private backoffUntil = 0;
  private producerConnected = false;

  constructor(options: OutboxRelayOptions) {
    this.options = { batchSize: 200, pollIntervalMs: 1_000, maxBackoffMs: 30_000, ...options };
  }

  async start(): Promise<void> {
    this.running = true;
    await this.listen();
    this.timer = setInterval(() => this.wake(), this.options.pollIntervalMs);
    this.wake();
  }

  async stop(): Promise<void> {
    this.running = false;
    if (this.timer) clearInterval(this.timer);
    await this.draining;
    await this.listener?.end().catch(() => undefined);
    this.listener = undefined;
  }

  /** Number of rows not yet acknowledged by Kafka (for health and tests). */
  async pendingCount(): Promise<number> {
    const result = await this.options.pool.query<{ count: number }>(
      'SELECT count(*) AS count FROM outbox WHERE published_at IS NULL',
    );
    return result.rows[0]?.count ?? 0;
  }

  /** The events not yet published and how long the oldest of them has waited (0 when none), for `/metrics`. */
  async backlog(): Promise<{ pending: number; oldestAgeSeconds: number }> {
    const result = await this.options.pool.query<{ pending: number; age: number | null }>(
      `SELECT count(*)::int AS pending, extract(epoch FROM now() - min(created_at))::float8 AS age
         FROM outbox WHERE published_at IS NULL`,
    );
    const row = result.rows[0];
    return { pending: row?.pending ?? 0, oldestAgeSeconds: row?.age ?? 0 };
  }

  wake(): void {
    if (!this.running) return;
    if (this.draining) {
      this.wakeAgain = true;
      return;
    }
    this.draining = this.drainLoop().finally(() => {
      this.draining = undefined;
      if (this.wakeAgain && this.running) {
        this.wakeAgain = false;
        this.wake();
      }
    });
  }

  private async listen(): Promise<void> {
    const client = new pg.Client({ connectionString: this.options.databaseUrl });
    client.on('error', (error) => {
      this.options.logger.warn({ err: error }, 'outbox listener connection lost; polling until it is back');
      this.listener = undefined;
      setTimeout(() => {
        if (this.running) this.listen().catch(() => undefined);
      }, 1_000);
    });
    client.on('notification', () => this.wake());
    await client.connect();
    await client.query('LISTEN outbox_pending');
    this.listener = client;
  }

  private async drainLoop(): Promise<void> {
    while (this.running && Date.now() >= this.backoffUntil) {
      const published = await this.publishBatch();
      if (published < this.options.batchSize) return;
    }
  }

  /** Claims one batch, publishes it, marks it; returns how many rows were published. */
  private async publishBatch(): Promise<number> {
    const { pool, producer, logger } = this.options;
    let client;
    try {
      client = await pool.connect();
    } catch (error) {
      this.recordFailure(error, 'database unavailable');
      return 0;
    }
    let broken = false;
    try {
      await client.query('BEGIN');
      const lock = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_xact_lock($1) AS locked', [
        relayLockKey,
      ]);
      if (!lock.rows[0]?.locked) {
        await client.query('ROLLBACK');
        return 0;
      }
      const { rows } = await client.query<OutboxRow>(
        `SELECT position, event_id, topic, message_key, event_type, source, subject, occurred_at, data, extensions
           FROM outbox WHERE published_at IS NULL ORDER BY position LIMIT $1 FOR UPDATE SKIP LOCKED`,
        [this.options.batchSize],
      );
      if (rows.length === 0) {
        await client.query('COMMIT');
        return 0;
      }
      try {
        await this.send(producer, rows);
      } catch (error) {
        await client.query(
          `UPDATE outbox SET attempts = attempts + 1, last_error = $2 WHERE position = ANY($1::bigint[])`,
          [rows.map((r) => r.position), String((error as Error).message).slice(0, 1000)],
        );
        await client.query('COMMIT');
        this.recordFailure(error, 'Kafka did not acknowledge the batch');
        return 0;
      }
      await client.query('UPDATE outbox SET published_at = now() WHERE position = ANY($1::bigint[])', [
        rows.map((r) => r.position),
      ]);
      await client.query('COMMIT');
      if (this.failures > 0) logger.info({ published: rows.length }, 'outbox relay recovered');
      this.failures = 0;
      logger.debug({ published: rows.length }, 'outbox batch published');
      return rows.length;
    } catch (error) {
      broken = await client.query('ROLLBACK').then(
        () => false,
        () => true,
      );
      this.recordFailure(error, 'outbox batch failed');
      return 0;
    } finally {
      client.release(broken); // a connection that cannot roll back is discarded, not pooled again
    }
  }

  private async send(producer: Producer, rows: OutboxRow[]): Promise<void> {
    if (!this.producerConnected) {
      await producer.connect();
      this.producerConnected = true;
    }
    const byTopic = new Map<string, { key: string; value: string; headers: ReturnType<typeof toKafkaHeaders> }[]>();
    const published: { topic: string; event: CloudEvent }[] = [];
    for (const row of rows) {
      const { dataschema, ...extensions } = row.extensions;
      const event: CloudEvent = {
        specversion: '1.0',
        id: row.event_id,
        source: row.source,
        type: row.event_type,
        time: row.occurred_at.toISOString(),
        datacontenttype: 'application/json',
        data: row.data,
        extensions,
      };
      if (row.subject !== null) event.subject = row.subject;
      if (dataschema !== undefined) event.dataschema = dataschema;
      const messages = byTopic.get(row.topic) ?? [];
      messages.push({ key: row.message_key, value: JSON.stringify(row.data), headers: toKafkaHeaders(event) });
      byTopic.set(row.topic, messages);
      published.push({ topic: row.topic, event });
    }
    try {
      await inPublishSpans(published, () =>
        producer.sendBatch({
          acks: -1,
          topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
        }),
      );
    } catch (error) {
      // A producer whose broker went away may hold dead connections; reconnect on the next try.
      this.producerConnected = false;
      await producer.disconnect().catch(() => undefined);
      throw error;
    }
  }

  private recordFailure(error: unknown, what: string): void {
    this.failures += 1;
    const delay = Math.min(this.options.maxBackoffMs, 250 * 2 ** Math.min(this.failures, 10));
    this.backoffUntil = Date.now() + delay * (0.75 + Math.random() * 0.5);
    const log = this.failures === 1 || this.failures % 10 === 0 ? this.options.logger.warn : this.options.logger.debug;
    log.call(this.options.logger, { err: error, failures: this.failures, retryInMs: delay }, `${what}; will retry`);
  }
}
