import type { Consumer, EachMessagePayload, Kafka } from 'kafkajs';
import { findEventDefinition } from '@vanthu/contracts';
import { fromKafkaMessage, isValidEventData } from './events';
import type { CloudEvent } from './events';
import { withTransaction } from './db';
import type { Pool, Tx } from './db';
import type { Logger } from './logger';

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
  /** Handlers by CloudEvents type; events of other types are acknowledged and skipped. */
  handlers: Record<string, EventHandler>;
  maxAttempts?: number;
};

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Consumes events exactly once in effect: the inbox row and the handler's writes commit in
 * one transaction, and the Kafka offset is committed only after that transaction. A
 * redelivered event finds its inbox row and is skipped. An event that keeps failing goes to
 * the dead-letter table after `maxAttempts` so it cannot block its partition forever.
 */
export class InboxConsumer {
  private readonly consumer: Consumer;
  private readonly maxAttempts: number;
  private connected = false;

  constructor(private readonly options: InboxConsumerOptions) {
    this.consumer = options.kafka.consumer({
      groupId: options.groupId ?? options.consumer,
      allowAutoTopicCreation: false,
      retry: { retries: 10 },
    });
    this.maxAttempts = options.maxAttempts ?? 5;
  }

  async start(): Promise<void> {
    await this.consumer.connect();
    this.connected = true;
    await this.consumer.subscribe({ topics: this.options.topics, fromBeginning: true });
    await this.consumer.run({ autoCommit: false, eachMessage: (payload) => this.handle(payload) });
  }

  async stop(): Promise<void> {
    if (this.connected) await this.consumer.disconnect();
    this.connected = false;
  }

  private async handle({ topic, partition, message }: EachMessagePayload): Promise<void> {
    const { logger, pool } = this.options;
    let event: CloudEvent;
    try {
      event = fromKafkaMessage(message.headers, message.value);
    } catch (error) {
      await this.deadLetter(topic, partition, message.offset, message.headers, message.value, undefined, error);
      return this.commit(topic, partition, message.offset);
    }

    const handler = this.options.handlers[event.type];
    if (handler) {
      const definition = findEventDefinition(event.type);
      if (definition && !isValidEventData(definition, event.data)) {
        await this.deadLetter(
          topic,
          partition,
          message.offset,
          message.headers,
          message.value,
          event,
          new Error('data does not match the event schema'),
        );
        return this.commit(topic, partition, message.offset);
      }
      for (let attempt = 1; ; attempt += 1) {
        try {
          await withTransaction(pool, async (tx) => {
            const inserted = await tx.query(
              `INSERT INTO inbox (event_id, consumer, event_type, topic, kafka_partition, kafka_offset)
               VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING`,
              [event.id, this.options.consumer, event.type, topic, partition, message.offset],
            );
            if (inserted.rowCount === 1) await handler(tx, event);
            else logger.debug({ eventId: event.id }, 'duplicate event skipped');
          });
          break;
        } catch (error) {
          if (attempt >= this.maxAttempts) {
            // If even the dead letter cannot be written (database down), this throws and
            // kafkajs redelivers the message later: nothing is dropped.
            await this.deadLetter(topic, partition, message.offset, message.headers, message.value, event, error);
            break;
          }
          logger.warn({ err: error, eventId: event.id, type: event.type, attempt }, 'event handler failed; retrying');
          await sleep(Math.min(5_000, 200 * 2 ** attempt));
        }
      }
    }
    await this.commit(topic, partition, message.offset);
  }

  private async commit(topic: string, partition: number, offset: string): Promise<void> {
    await this.consumer.commitOffsets([{ topic, partition, offset: (BigInt(offset) + 1n).toString() }]);
  }

  private async deadLetter(
    topic: string,
    partition: number,
    offset: string,
    headers: EachMessagePayload['message']['headers'],
    value: Buffer | null,
    event: CloudEvent | undefined,
    error: unknown,
  ): Promise<void> {
    const printableHeaders: Record<string, string> = {};
    for (const [name, header] of Object.entries(headers ?? {})) {
      const single = Array.isArray(header) ? header[0] : header;
      if (single !== undefined)
        printableHeaders[name] = Buffer.isBuffer(single) ? single.toString('utf8') : String(single);
    }
    await this.options.pool.query(
      `INSERT INTO inbox_dead_letter (consumer, event_id, event_type, topic, kafka_partition, kafka_offset, headers, payload, error)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      [
        this.options.consumer,
        event?.id ?? null,
        event?.type ?? null,
        topic,
        partition,
        offset,
        JSON.stringify(printableHeaders),
        value?.toString('utf8') ?? null,
        String((error as Error)?.message ?? error),
      ],
    );
    this.options.logger.error(
      { err: error, topic, partition, offset, eventId: event?.id },
      'event moved to the dead-letter table',
    );
  }
}
