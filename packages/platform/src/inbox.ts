import type { Consumer, EachBatchPayload, IHeaders, Kafka } from 'kafkajs';
import { findEventDefinition } from '@vanthu/contracts';
import { fromKafkaMessage, isValidEventData, tracedEventOf } from './events';
import type { CloudEvent } from './events';
import { withTransaction } from './db';
import type { Pool, Tx } from './db';
import type { Logger } from './logger';
import { isTransientFailure } from './transient-failure';
import { inConsumeBatchSpan, inConsumeSpan, isTracing } from './tracing';

export type EventHandler = (tx: Tx, event: CloudEvent) => Promise<void>;

export type InboxConsumerOptions = {
  kafka: Kafka;
  pool: Pool;
  logger: Logger;
  /** Consumer name: the Kafka group id and the inbox's de-duplication scope. */
  consumer: string;
  /** Kafka group id when it differs from `consumer` (a replay from offset 0 under the same inbox scope). */
  groupId?: string;
  topics: string[];
  /**
   * Handlers by CloudEvents type; events of other types are acknowledged and skipped, except another major version
   * of a type handled here (`….v2` beside a handler for `….v1`), which is dead-lettered: it is news this consumer
   * must not silently miss.
   */
  handlers: Record<string, EventHandler>;
  maxAttempts?: number;
  /**
   * How long an event whose handler fails only because a dependency is unavailable for now (a service restarting,
   * PostgreSQL restarting: `isTransientFailure`, or the database not answering) is retried before it is dead-lettered
   * (default 15 minutes). Those failures do not count against `maxAttempts`.
   */
  transientRetryMs?: number;
  /**
   * Up to this many messages of one Kafka batch (one partition, in offset order) projected in one transaction:
   * their inbox rows and handlers commit together, then the offset after the last. A batch that fails is taken
   * again message by message (retries, dead letters). 1 (the default) is one transaction per message.
   */
  batchSize?: number;
  /**
   * The consumer's write batch, made by the inbox for each transaction it projects in (a batch, one message, a
   * reprocessed dead letter): the handlers get its `writer` instead of the transaction, and the inbox sends the batch
   * after the last handler, before the commit, so no caller can run the handlers and forget the sending (reporting,
   * services/reporting/src/repositories/write-batch.ts). Without it the handlers write in the transaction directly.
   */
  writeBatch?: (tx: Tx) => WriteBatch;
};

/**
 * Writes a consumer's handlers make in one transaction, held back and sent together (set-based statements instead of
 * one round trip per event). Owned by the inbox (`InboxConsumerOptions.writeBatch`), which calls `send` once.
 */
export type WriteBatch = {
  /** What the handlers write through: its queries wait in the batch and answer no rows. */
  readonly writer: Tx;
  /** Sends every waiting write in the transaction; a write queued afterwards is refused. */
  send(): Promise<unknown>;
  /** Writes waiting to be sent. */
  readonly pending: number;
};

/** What the inbox needs of a Kafka message. */
export type InboxMessage = {
  topic: string;
  partition: number;
  offset: string;
  headers?: IHeaders | undefined;
  value: Buffer | null;
};

type InboxScope = Pick<InboxConsumerOptions, 'consumer' | 'handlers' | 'writeBatch'>;

/**
 * Runs `handle` with what the handlers write through (the consumer's write batch, or the transaction itself) and
 * sends the batch before returning, in the transaction: the sending is the inbox's, so a commit with writes unsent
 * would take a batch that did not send what it held, which is refused here (nothing of the transaction is kept).
 * No database round trip is added: the check is on the batch in memory.
 */
async function withWrites(tx: Tx, scope: InboxScope, handle: (writer: Tx) => Promise<void>): Promise<void> {
  if (!scope.writeBatch) return handle(tx);
  const batch = scope.writeBatch(tx);
  await handle(batch.writer);
  await batch.send();
  if (batch.pending > 0)
    throw new Error(
      `${batch.pending} projection writes were left unsent by the write batch: the transaction is refused`,
    );
}

/** What the inbox does with one message: hand it to its handler, skip it, or keep it for an operator. */
type Decision =
  | { kind: 'handle'; event: CloudEvent; handler: EventHandler }
  | { kind: 'skip'; event: CloudEvent }
  | { kind: 'dead-letter'; event: CloudEvent | undefined; error: Error };

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** `vn.vanthu.document.created.v2` → `vn.vanthu.document.created` (ARCHITECTURE.md "Events": a breaking change is a new major). */
const family = (type: string): string => type.replace(/\.v\d+$/, '');

function decide(scope: InboxScope, headers: IHeaders | undefined, value: Buffer | null): Decision {
  let event: CloudEvent;
  try {
    event = fromKafkaMessage(headers, value);
  } catch (error) {
    return { kind: 'dead-letter', event: undefined, error: error as Error };
  }
  const handler = scope.handlers[event.type];
  if (!handler) {
    const known = Object.keys(scope.handlers).filter(
      (type) => type !== event.type && family(type) === family(event.type),
    );
    if (known.length > 0)
      return {
        kind: 'dead-letter',
        event,
        error: new Error(`unknown version ${event.type}: this consumer handles ${known.join(', ')}`),
      };
    return { kind: 'skip', event };
  }
  const definition = findEventDefinition(event.type);
  if (definition && !isValidEventData(definition, event.data))
    return { kind: 'dead-letter', event, error: new Error('data does not match the event schema') };
  return { kind: 'handle', event, handler };
}

function printable(headers: IHeaders | undefined): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, header] of Object.entries(headers ?? {})) {
    const single = Array.isArray(header) ? header[0] : header;
    if (single !== undefined) result[name] = Buffer.isBuffer(single) ? single.toString('utf8') : String(single);
  }
  return result;
}

/**
 * One letter per message and consumer: a message delivered again (a redelivery after a crash, a rebuild's replay)
 * updates its letter instead of adding a second one, and opens it again if it had been reprocessed.
 */
async function insertDeadLetter(
  db: Pool | Tx,
  consumer: string,
  message: InboxMessage,
  event: CloudEvent | undefined,
  error: unknown,
): Promise<void> {
  await db.query(
    `INSERT INTO inbox_dead_letter (consumer, event_id, event_type, topic, kafka_partition, kafka_offset, headers, payload, error)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
     ON CONFLICT (consumer, topic, kafka_partition, kafka_offset)
     DO UPDATE SET error = EXCLUDED.error, failed_at = now(), reprocessed_at = NULL`,
    [
      consumer,
      event?.id ?? null,
      event?.type ?? null,
      message.topic,
      message.partition,
      message.offset,
      JSON.stringify(printable(message.headers)),
      message.value?.toString('utf8') ?? null,
      String((error as Error)?.message ?? error),
    ],
  );
}

/**
 * Projects messages of one partition, in offset order, in the caller's transaction: one multi-row insert of their
 * inbox rows (an event already there, or twice in the batch, is handled once), each new event's handler in order,
 * and the dead letters of the messages that cannot be handled. Throws when a handler throws: the caller rolls back.
 */
export async function projectInboxBatch(tx: Tx, scope: InboxScope, messages: InboxMessage[]): Promise<void> {
  const decisions = messages.map((message) => ({ message, decision: decide(scope, message.headers, message.value) }));
  const handled = decisions.filter(({ decision }) => decision.kind === 'handle');
  const fresh = new Set<string>();
  if (handled.length > 0) {
    const column = <T>(pick: (m: InboxMessage, e: CloudEvent) => T): T[] =>
      handled.map(({ message, decision }) => pick(message, (decision as { event: CloudEvent }).event));
    const { rows } = await tx.query<{ event_id: string }>(
      `INSERT INTO inbox (event_id, consumer, event_type, topic, kafka_partition, kafka_offset)
       SELECT e, $1, t, tp, p, o FROM unnest($2::uuid[], $3::text[], $4::text[], $5::int[], $6::bigint[]) AS u(e, t, tp, p, o)
       ON CONFLICT DO NOTHING RETURNING event_id`,
      [
        scope.consumer,
        column((_, e) => e.id),
        column((_, e) => e.type),
        column((m) => m.topic),
        column((m) => m.partition),
        column((m) => m.offset),
      ],
    );
    for (const row of rows) fresh.add(row.event_id);
  }
  await withWrites(tx, scope, async (writer) => {
    for (const { message, decision } of decisions) {
      if (decision.kind === 'dead-letter')
        await insertDeadLetter(tx, scope.consumer, message, decision.event, decision.error);
      else if (decision.kind === 'handle' && fresh.delete(decision.event.id.toLowerCase())) {
        const { event, handler } = decision;
        await inConsumeSpan(scope.consumer, message.topic, event, () => handler(writer, event));
      }
    }
  });
}

/**
 * Consumes events exactly once in effect: the inbox row and the handler's writes commit in
 * one transaction, and the Kafka offset is committed only after that transaction. A
 * redelivered event finds its inbox row and is skipped. An event that keeps failing goes to
 * the dead-letter table after `maxAttempts` so it cannot block its partition forever; so does
 * an event that cannot be read, breaks its schema or is of an unknown version of a handled type
 * (`reprocessDeadLetters` takes them again). One that fails because a dependency is away (documents restarting,
 * PostgreSQL restarting) waits for it instead, within `transientRetryMs`: dead-lettering it after a few seconds lost
 * the validation of an incoming document whenever documents restarted (test/e2e/faults-upload-report.e2e.test.ts).
 */
export class InboxConsumer {
  private readonly consumer: Consumer;
  private readonly maxAttempts: number;
  private readonly transientRetryMs: number;
  private readonly batchSize: number;
  private connected = false;
  private stopping = false;

  constructor(private readonly options: InboxConsumerOptions) {
    this.consumer = options.kafka.consumer({
      groupId: options.groupId ?? options.consumer,
      allowAutoTopicCreation: false,
      retry: { retries: 10 },
    });
    this.maxAttempts = options.maxAttempts ?? 5;
    this.transientRetryMs = options.transientRetryMs ?? 15 * 60_000;
    this.batchSize = Math.max(1, Math.floor(options.batchSize ?? 1));
  }

  async start(): Promise<void> {
    await this.consumer.connect();
    this.connected = true;
    await this.consumer.subscribe({ topics: this.options.topics, fromBeginning: true });
    if (this.batchSize > 1)
      await this.consumer.run({
        autoCommit: false,
        eachBatchAutoResolve: false,
        eachBatch: (payload) => this.handleBatch(payload),
      });
    else
      await this.consumer.run({
        autoCommit: false,
        eachMessage: ({ topic, partition, message, heartbeat }) =>
          this.handle({ topic, partition, ...message }, heartbeat),
      });
  }

  async stop(): Promise<void> {
    this.stopping = true;
    if (this.connected) await this.consumer.disconnect();
    this.connected = false;
  }

  private async handleBatch({ batch, resolveOffset, heartbeat, isRunning, isStale }: EachBatchPayload): Promise<void> {
    const messages: InboxMessage[] = batch.messages.map((m) => ({
      topic: batch.topic,
      partition: batch.partition,
      offset: m.offset,
      headers: m.headers,
      value: m.value,
    }));
    for (let start = 0; start < messages.length; start += this.batchSize) {
      if (!isRunning() || isStale()) return;
      const chunk = messages.slice(start, start + this.batchSize);
      const last = chunk[chunk.length - 1] as InboxMessage;
      try {
        const events = isTracing() ? chunk.flatMap((message) => tracedEventOf(message.headers) ?? []) : [];
        await inConsumeBatchSpan(this.options.consumer, batch.topic, events, () =>
          withTransaction(this.options.pool, (tx) => projectInboxBatch(tx, this.options, chunk)),
        );
        await this.commit(last.topic, last.partition, last.offset);
      } catch (error) {
        this.options.logger.warn(
          { err: error, topic: batch.topic, partition: batch.partition, from: chunk[0]?.offset, to: last.offset },
          'batch projection failed; taking its messages one by one',
        );
        for (const message of chunk) {
          await this.handle(message, heartbeat);
          resolveOffset(message.offset);
        }
      }
      resolveOffset(last.offset);
      await heartbeat();
    }
  }

  private async handle(message: InboxMessage, heartbeat: () => Promise<void>): Promise<void> {
    const { logger, pool } = this.options;
    const decision = decide(this.options, message.headers, message.value);
    if (decision.kind === 'dead-letter') {
      await this.deadLetter(message, decision.event, decision.error);
      return this.commit(message.topic, message.partition, message.offset);
    }
    if (decision.kind === 'handle') {
      const { event, handler } = decision;
      let attempt = 0; // failures that count against maxAttempts
      let failures = 0;
      let firstFailureAt = 0;
      for (;;) {
        try {
          await inConsumeSpan(this.options.consumer, message.topic, event, () =>
            withTransaction(pool, async (tx) => {
              const inserted = await tx.query(
                `INSERT INTO inbox (event_id, consumer, event_type, topic, kafka_partition, kafka_offset)
               VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING`,
                [event.id, this.options.consumer, event.type, message.topic, message.partition, message.offset],
              );
              if (inserted.rowCount === 1) await withWrites(tx, this.options, (writer) => handler(writer, event));
              else logger.debug({ eventId: event.id }, 'duplicate event skipped');
            }),
          );
          break;
        } catch (error) {
          // While stopping, the event is left uncommitted: the next consumer of the partition gets it again.
          if (this.stopping) throw error;
          failures += 1;
          firstFailureAt ||= Date.now();
          const transient = isTransientFailure(error) || !(await this.databaseAnswers());
          if (!transient) attempt += 1;
          if (attempt >= this.maxAttempts || Date.now() - firstFailureAt > this.transientRetryMs) {
            // If even the dead letter cannot be written (database down), this throws and
            // kafkajs redelivers the message later: nothing is dropped.
            await this.deadLetter(message, event, error);
            break;
          }
          logger.warn(
            { err: error, eventId: event.id, type: event.type, attempt, transient },
            transient
              ? 'event handler failed: a dependency is unavailable; retrying'
              : 'event handler failed; retrying',
          );
          await sleep(Math.min(5_000, 200 * 2 ** failures));
          // A handler waiting for a dependency must not look like a dead member of the group.
          await heartbeat().catch(() => undefined);
        }
      }
    }
    await this.commit(message.topic, message.partition, message.offset);
  }

  private async databaseAnswers(): Promise<boolean> {
    try {
      await this.options.pool.query('SELECT 1');
      return true;
    } catch {
      return false;
    }
  }

  private async commit(topic: string, partition: number, offset: string): Promise<void> {
    await this.consumer.commitOffsets([{ topic, partition, offset: (BigInt(offset) + 1n).toString() }]);
  }

  private async deadLetter(message: InboxMessage, event: CloudEvent | undefined, error: unknown): Promise<void> {
    await insertDeadLetter(this.options.pool, this.options.consumer, message, event, error);
    this.options.logger.error(
      { err: error, topic: message.topic, partition: message.partition, offset: message.offset, eventId: event?.id },
      'event moved to the dead-letter table',
    );
  }
}

export type DeadLetter = {
  id: string;
  eventId: string | null;
  eventType: string | null;
  topic: string;
  partition: number;
  offset: string;
  error: string;
  failedAt: string;
};

/** The dead letters of a consumer not yet reprocessed, oldest first: what an operator must look at. */
export async function listDeadLetters(db: Pool | Tx, consumer: string): Promise<DeadLetter[]> {
  const { rows } = await db.query<Record<string, unknown>>(
    `SELECT id, event_id, event_type, topic, kafka_partition, kafka_offset, error, failed_at
       FROM inbox_dead_letter WHERE consumer = $1 AND reprocessed_at IS NULL ORDER BY id`,
    [consumer],
  );
  return rows.map((row) => ({
    id: String(row.id),
    eventId: (row.event_id as string | null) ?? null,
    eventType: (row.event_type as string | null) ?? null,
    topic: String(row.topic),
    partition: Number(row.kafka_partition),
    offset: String(row.kafka_offset),
    error: String(row.error),
    failedAt: (row.failed_at as Date).toISOString(),
  }));
}

export type ReprocessOutcome = { reprocessed: string[]; stillFailing: { id: string; error: string }[] };

/**
 * Takes a consumer's dead letters (all not yet reprocessed, or the ids given) through the inbox again with today's
 * handlers, oldest first: the one transaction that writes the inbox row and the handler's changes also marks the dead
 * letter reprocessed, so a letter is applied once even when its event also arrives again from Kafka. A letter that
 * still cannot be handled (unreadable, unknown version without a handler yet, a handler that throws) stays, with its
 * newest error. Use it after deploying a handler for a new version, or after fixing a handler's bug.
 */
export async function reprocessDeadLetters(pool: Pool, scope: InboxScope, ids?: string[]): Promise<ReprocessOutcome> {
  const { rows } = await pool.query<{
    id: string;
    topic: string;
    kafka_partition: number;
    kafka_offset: string;
    headers: Record<string, string>;
    payload: string | null;
  }>(
    `SELECT id::text, topic, kafka_partition, kafka_offset::text, headers, payload FROM inbox_dead_letter
      WHERE consumer = $1 AND reprocessed_at IS NULL AND ($2::bigint[] IS NULL OR id = ANY($2::bigint[]))
      ORDER BY id`,
    [scope.consumer, ids ?? null],
  );
  const outcome: ReprocessOutcome = { reprocessed: [], stillFailing: [] };
  for (const row of rows) {
    const headers: IHeaders = row.headers;
    const value = row.payload === null ? null : Buffer.from(row.payload, 'utf8');
    const decision = decide(scope, headers, value);
    try {
      await withTransaction(pool, async (tx) => {
        if (decision.kind === 'dead-letter') throw decision.error;
        if (decision.kind === 'handle') {
          const inserted = await tx.query(
            `INSERT INTO inbox (event_id, consumer, event_type, topic, kafka_partition, kafka_offset)
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING`,
            [decision.event.id, scope.consumer, decision.event.type, row.topic, row.kafka_partition, row.kafka_offset],
          );
          if (inserted.rowCount === 1)
            await withWrites(tx, scope, (writer) => decision.handler(writer, decision.event));
        }
        await tx.query('UPDATE inbox_dead_letter SET reprocessed_at = now() WHERE id = $1', [row.id]);
      });
      outcome.reprocessed.push(row.id);
    } catch (error) {
      const message = String((error as Error)?.message ?? error);
      await pool.query('UPDATE inbox_dead_letter SET error = $2 WHERE id = $1', [row.id, message]);
      outcome.stillFailing.push({ id: row.id, error: message });
    }
  }
  return outcome;
}
