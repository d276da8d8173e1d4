import { createEvent, outboxRowValues } from '@vanthu/platform';
import type { CloudEvent, EventContext, Tx } from '@vanthu/platform';
import type { EventDefinition } from '@vanthu/contracts';
import { insertHistoryAndEvents } from '../repositories/history-repository';
import type { HistoryEntry, OutboxRow } from '../repositories/history-repository';

// A use case's audit rows and outbox events, written together with one statement at the end of its transaction
// instead of one INSERT each as they happen (plus a SELECT of the chain's last row before each history row): a
// transition writes two of each, and round trips are most of its cost (bench/routing/results.md). The rows commit or
// roll back with the change exactly as before; only their INSERTs move to the end of the transaction, in the order
// they were made. Opt-in per transaction: code running in a transaction without a buffer (the timer worker's) writes
// at once, as before.

type Pending = {
  history: HistoryEntry[];
  events: OutboxRow[];
  /** The chain's last row per process, read once per transaction and then kept here. */
  last: Map<string, HistoryEntry | undefined>;
};

const buffers = new WeakMap<Tx, Pending>();

/** Runs `work` with the transaction's history and outbox writes buffered, then writes them in one statement. */
export async function withWriteBuffer<T>(tx: Tx, work: (tx: Tx) => Promise<T>): Promise<T> {
  if (buffers.has(tx)) return work(tx);
  const pending: Pending = { history: [], events: [], last: new Map() };
  buffers.set(tx, pending);
  try {
    const result = await work(tx);
    await flushWrites(tx);
    return result;
  } finally {
    buffers.delete(tx);
  }
}

/** Writes what is buffered so far (a read of the history in the same transaction must see it). */
export async function flushWrites(tx: Tx): Promise<void> {
  const pending = buffers.get(tx);
  if (!pending || (pending.history.length === 0 && pending.events.length === 0)) return;
  const history = pending.history.splice(0);
  const events = pending.events.splice(0);
  await insertHistoryAndEvents(tx, history, events);
}

export function historyBuffer(tx: Tx): Pending | undefined {
  return buffers.get(tx);
}

/** Buffers an event when the transaction has a buffer; false when it has none (the caller writes it at once). */
export function bufferEvent<T>(
  tx: Tx,
  definition: EventDefinition,
  aggregateId: string,
  data: T,
  context: EventContext,
  topicPrefix: string,
): boolean {
  const pending = buffers.get(tx);
  if (!pending) return false;
  const event: CloudEvent<T> = createEvent(definition, aggregateId, data, context);
  pending.events.push(outboxRowValues(definition, aggregateId, event, topicPrefix));
  return true;
}
