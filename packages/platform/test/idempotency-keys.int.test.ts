// Several requests' Idempotency-Keys claimed and completed in one transaction (documents' registration groups) keep
// the guarantees of the runner's own claim: a repeat replays the stored result, a key used for another request is
// refused, a key in progress is not taken twice, and a released claim leaves nothing behind.
import path from 'node:path';
import { claimIdempotencyKeys, completeIdempotencyKeys, transactionRunner } from '../src/idempotency';
import type { KeyedRequest } from '../src/idempotency';
import type { Identity } from '../src/identity';
import { withTransaction } from '../src/db';
import { serviceFixture } from '../../../test/support/service-fixture';
import type { ServiceFixture } from '../../../test/support/service-fixture';

let fixture: ServiceFixture;
beforeAll(async () => {
  fixture = await serviceFixture('idemkeys', path.join(__dirname, 'empty-migrations'));
});
afterAll(async () => {
  await fixture.close();
});

const identity: Identity = { userId: 'van-thu-1', agencyCode: '000.00.00.H99', roles: ['clerk'] };
const keyed = (idempotencyKey: string, fingerprint = `fp-${idempotencyKey}`): KeyedRequest => ({
  pool: fixture.pool,
  identity,
  idempotencyKey,
  fingerprint,
});

describe('claimIdempotencyKeys and completeIdempotencyKeys', () => {
  it('claim fresh keys once, complete and release them, and leave repeats to the runner', async () => {
    // A key completed earlier by a runner alone.
    const earlier = transactionRunner(fixture.pool, identity, 'group-key-earlier', 'fp-group-key-earlier');
    expect(earlier.request).toEqual(keyed('group-key-earlier'));
    await earlier(async () => ({ number: 1 }));

    const requests = [keyed('group-key-a'), keyed('group-key-b'), keyed('group-key-earlier'), keyed('group-key-a')];
    const claimed = await withTransaction(fixture.pool, async (tx) => {
      const result = await claimIdempotencyKeys(tx, requests);
      await completeIdempotencyKeys(tx, [{ request: requests[0]!, result: { number: 2 } }], [requests[1]!]);
      return result;
    });
    // key-a once (its repeat in the same list is not claimed), key-b claimed, key-earlier used before.
    expect(claimed).toEqual([true, true, false, false]);
    const { rows } = await fixture.pool.query(
      `SELECT idempotency_key, state, response_body FROM idempotency_keys WHERE user_id = $1 ORDER BY idempotency_key`,
      [identity.userId],
    );
    expect(rows).toEqual([
      { idempotency_key: 'group-key-a', state: 'completed', response_body: { number: 2 } },
      { idempotency_key: 'group-key-earlier', state: 'completed', response_body: { number: 1 } },
    ]);
    // What the group did not take runs through its own runner: a replay, a refusal, a fresh claim.
    const replay = transactionRunner(fixture.pool, identity, 'group-key-a', 'fp-group-key-a');
    expect(await replay(async () => ({ number: 99 }))).toEqual({ result: { number: 2 }, replayed: true });
    const reused = transactionRunner(fixture.pool, identity, 'group-key-a', 'another request');
    await expect(reused(async () => ({ number: 99 }))).rejects.toMatchObject({ code: 'IDEMPOTENCY_KEY_REUSED' });
    const released = transactionRunner(fixture.pool, identity, 'group-key-b', 'fp-group-key-b');
    expect(await released(async () => ({ number: 3 }))).toEqual({ result: { number: 3 }, replayed: false });
  });

  it('rolls back with the transaction: a claim that did not commit leaves the key free', async () => {
    await expect(
      withTransaction(fixture.pool, async (tx) => {
        expect(await claimIdempotencyKeys(tx, [keyed('group-key-rolled-back')])).toEqual([true]);
        throw new Error('the group failed');
      }),
    ).rejects.toThrow('the group failed');
    const again = await withTransaction(fixture.pool, (tx) =>
      claimIdempotencyKeys(tx, [keyed('group-key-rolled-back')]),
    );
    expect(again).toEqual([true]);
  });
});
