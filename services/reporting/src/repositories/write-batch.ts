import type { Tx, WriteBatch as PlatformWriteBatch } from '@vanthu/platform';
import { refreshRollUps, rollUpSources } from './roll-up-repository';
import type { WrittenRows } from './roll-up-repository';

// Set-based projection (bench/reporting/results.md): the consumer's handlers write through a queue, and at the end of
// the Kafka batch the queued statements are sent grouped, one multi-row statement per statement text instead of one
// round trip per event. Every projection writer is an idempotent upsert of the columns its event owns, written so
// that duplicates, a rebuild and topics read in any order give the same tables (README, compliance reports); so
// statements of different texts may run in another order than their events, while the rows of one text keep their
// order: a row whose conflict key already has a row in the pending statement goes to the next statement (a "round"),
// since one INSERT … ON CONFLICT DO UPDATE may not touch a row twice.

type Queued = { sql: string; params: unknown[] };

/**
 * `INSERT INTO t (a, b) VALUES ($1, $2) ON CONFLICT (a) …`: a single-row insert the batch sends as
 * `INSERT INTO t (a, b) SELECT * FROM unnest($1::type[], $2::type[]) ON CONFLICT (a) …`, one array per column.
 */
type Shape = { table: string; columns: string[]; suffix: string; keyIndexes: number[] } | null;

/** Rows per statement at most (the arrays of one statement are held in memory on both sides). */
const maxRows = 5_000;

const shapes = new Map<string, Shape>();
/** Column types per table, read once from the catalogue (for the unnest arrays). */
const columnTypes = new Map<string, Map<string, string>>();

async function typesOf(tx: Tx, table: string): Promise<Map<string, string>> {
  let types = columnTypes.get(table);
  if (!types) {
    const { rows } = await tx.query<{ name: string; type: string }>(
      `SELECT attname AS name, format_type(atttypid, atttypmod) AS type FROM pg_attribute
        WHERE attrelid = $1::regclass AND attnum > 0 AND NOT attisdropped`,
      [table],
    );
    types = new Map(rows.map((row) => [row.name, row.type]));
    columnTypes.set(table, types);
  }
  return types;
}

function shapeOf(sql: string): Shape {
  const known = shapes.get(sql);
  if (known !== undefined) return known;
  let shape: Shape = null;
  const match =
    /^\s*INSERT\s+INTO\s+(\w+)\s*\(([^)]*)\)\s*VALUES\s*\(([^)]*)\)(\s*ON\s+CONFLICT\s*\(([^)]*)\)[\s\S]*)$/i.exec(sql);
  if (match) {
    const columns = (match[2] as string).split(',').map((c) => c.trim());
    const values = (match[3] as string).split(',').map((v) => v.trim());
    const inOrder = values.length === columns.length && values.every((v, i) => v === `$${i + 1}`);
    const keys = (match[5] as string).split(',').map((c) => c.trim());
    const keyIndexes = keys.map((key) => columns.indexOf(key));
    if (inOrder && keyIndexes.every((i) => i >= 0))
      shape = { table: match[1] as string, columns, suffix: match[4] as string, keyIndexes };
  }
  shapes.set(sql, shape);
  return shape;
}

/** A one-dimensional array as PostgreSQL's array text ({"a","b\\"c"}); null stays null. */
function arrayLiteral(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  const quote = (element: unknown): string =>
    element === null || element === undefined
      ? 'NULL'
      : `"${String(element).replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
  return `{${(value as unknown[]).map(quote).join(',')}}`;
}

/**
 * The projection's write batch (the platform's `WriteBatch`): made by the inbox for each transaction it projects in,
 * given to the handlers as their `writer`, and sent by the inbox after the last handler, before the commit
 * (`InboxConsumerOptions.writeBatch`). It lives and dies with that one call, so writes queued in a transaction that
 * rolled back cannot reach the next one on the same pooled connection.
 */
export class WriteBatch implements PlatformWriteBatch {
  private queue: Queued[] = [];
  private sent = false;
  /** A Tx for the handlers: its writes wait in the queue (they answer no rows; projection writers read nothing). */
  readonly writer: Tx;

  /**
   * `afterSend` runs once the queued writes are sent, in the same transaction, with the rows they wrote per table
   * (`columns` null for a statement sent as it was, not set-based): the projection recounts its roll-ups there.
   */
  constructor(
    private readonly tx: Tx,
    private readonly afterSend: ((tx: Tx, written: WrittenRows[]) => Promise<void>) | null = null,
  ) {
    this.writer = {
      query: (sql: string, params: unknown[] = []) => {
        // A write after the sending (a handler's promise left running) would be lost: refused instead.
        if (this.sent) return Promise.reject(new Error('projection write queued after its write batch was sent'));
        this.queue.push({ sql, params });
        return Promise.resolve({ rows: [], rowCount: 0 });
      },
    } as unknown as Tx;
  }

  get pending(): number {
    return this.queue.length;
  }

  /** Sends the queued writes in the transaction: one statement per statement text and round. */
  async send(): Promise<{ statements: number; rows: number }> {
    const queue = this.queue;
    this.queue = [];
    this.sent = true;
    const groups = new Map<string, unknown[][]>();
    for (const { sql, params } of queue) {
      const group = groups.get(sql);
      if (group) group.push(params);
      else groups.set(sql, [params]);
    }
    let statements = 0;
    const written: WrittenRows[] = [];
    for (const [sql, rows] of groups) {
      const shape = shapeOf(sql);
      if (!shape) {
        for (const params of rows) await this.tx.query(sql, params);
        statements += rows.length;
        written.push({
          table: /^\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+(\w+)/i.exec(sql)?.[1] ?? '',
          columns: null,
          rows,
        });
        continue;
      }
      written.push({ table: shape.table, columns: shape.columns, rows });
      const types = await typesOf(this.tx, shape.table);
      const typeOf = (column: string): string => types.get(column) ?? 'text';
      // unnest flattens an array of arrays: an array column (exchange counterparts) travels as the text of each
      // row's array and is cast back in the select list.
      const isArray = shape.columns.map((column) => typeOf(column).endsWith('[]'));
      const arrays = shape.columns.map((column, i) => `$${i + 1}::${isArray[i] ? 'text' : typeOf(column)}[]`);
      const names = shape.columns.map((_, i) => `c${i}`);
      const statement = `INSERT INTO ${shape.table} (${shape.columns.join(', ')})
        SELECT ${names.map((name, i) => (isArray[i] ? `${name}::${typeOf(shape.columns[i] as string)}` : name)).join(', ')}
          FROM unnest(${arrays.join(', ')}) AS u(${names.join(', ')})${shape.suffix}`;
      // The k-th write of a key in the batch goes to round k: rounds run in order, so each key's writes keep theirs.
      const rounds: unknown[][][] = [];
      const seen = new Map<string, number>();
      for (const params of rows) {
        const key = JSON.stringify(shape.keyIndexes.map((i) => params[i]));
        const k = seen.get(key) ?? 0;
        seen.set(key, k + 1);
        (rounds[k] ??= []).push(params);
      }
      for (const round of rounds)
        for (let start = 0; start < round.length; start += maxRows) {
          const chunk = round.slice(start, start + maxRows);
          await this.tx.query(
            statement,
            shape.columns.map((_, c) =>
              chunk.map((params) => (isArray[c] ? arrayLiteral(params[c]) : (params[c] ?? null))),
            ),
          );
          statements += 1;
        }
    }
    if (this.afterSend) await this.afterSend(this.tx, written);
    return { statements, rows: queue.length };
  }
}

/**
 * The reporting consumer's write batch for one transaction (`InboxConsumerOptions.writeBatch`): after its writes, the
 * roll-ups the province report reads are recounted for what they touched, in one statement (roll-up-repository.ts).
 */
export const projectionWriteBatch = (tx: Tx): WriteBatch =>
  new WriteBatch(tx, (batchTx, written) => refreshRollUps(batchTx, rollUpSources(written)));
