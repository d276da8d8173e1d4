import { randomUUID } from 'node:crypto';
import { withTransaction } from '@vanthu/platform';
import { migrationsDir } from '../src/config';
import { emptyProjections } from '../src/repositories/projection-repository';
import { serviceFixture } from '../../../test/support/service-fixture';
import type { ServiceFixture } from '../../../test/support/service-fixture';

// A rebuild empties the projections while the consumer goes on counting events. The consumer's transaction takes its
// inbox row first (whose trigger updates inbox_positions) and the projection tables after; this replays that
// interleaving exactly, which deadlocked when the rebuild took the projection tables first (seen in a CI run).

let fixture: ServiceFixture;
const consumer = 'reporting-projections';

beforeAll(async () => {
  fixture = await serviceFixture('reporting-rebuild-locks', migrationsDir);
});

afterAll(async () => {
  await fixture?.close();
});

const insertInbox = `INSERT INTO inbox (event_id, consumer, event_type, topic, kafka_partition, kafka_offset)
                     VALUES ($1, $2, 'document.created', 'vanthu.documents', 0, $3)`;

it('waits for a consumer in the middle of an event instead of deadlocking with it', async () => {
  // The partition's position row exists already, as it does after the first event counted.
  await fixture.pool.query(insertInbox, [randomUUID(), consumer, 1]);
  const eventTransaction = await fixture.pool.connect();
  try {
    await eventTransaction.query('BEGIN');
    await eventTransaction.query(insertInbox, [randomUUID(), consumer, 2]);

    let rebuildError: unknown;
    const rebuild = withTransaction(fixture.pool, (tx) => emptyProjections(tx, consumer)).catch((error: unknown) => {
      rebuildError = error;
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    // What the handler does next: write to a projection table (an INSERT takes this lock).
    await eventTransaction.query('LOCK TABLE document_facts IN ROW EXCLUSIVE MODE');
    await eventTransaction.query('COMMIT');
    await rebuild;
    expect(rebuildError).toBeUndefined();
  } finally {
    eventTransaction.release();
  }
  // The rebuild ran after the event's transaction: everything that event left is emptied with the rest.
  const { rows } = await fixture.pool.query<{ inbox: number; positions: number }>(
    `SELECT (SELECT count(*) FROM inbox WHERE consumer = $1) AS inbox,
            (SELECT count(*) FROM inbox_positions WHERE consumer = $1) AS positions`,
    [consumer],
  );
  expect(rows[0]).toEqual({ inbox: 0, positions: 0 });
});
