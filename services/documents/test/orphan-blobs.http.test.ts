import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { startHarness } from './http-harness';
import type { Harness } from './http-harness';
import { BlobStore } from '@vanthu/platform';
import { sweepOrphanBlobs } from '../src/storage/sweep-orphan-blobs';
import { makePdf } from '../../../test/support/pdfs';

// The sweeper against the documents app's real store and database: what a committed upload recorded survives,
// what a failed transaction left is collected once it is older than the grace period, and nothing is lost to a
// concurrent upload of the same bytes or a sweep that crashed halfway.
let h: Harness;
let store: BlobStore;
const grace = 60 * 60 * 1000;
const dayAgo = new Date(Date.now() - 24 * 60 * 60 * 1000);

beforeAll(async () => {
  h = await startHarness('orphan-blobs');
  store = new BlobStore(h.blobDir);
  await store.init();
});
afterAll(async () => {
  await h.close();
});

const sweep = () =>
  sweepOrphanBlobs({ graceMs: grace }, { pool: h.fixture.pool, blobs: store, logger: h.fixture.logger });
const sha = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
const age = async (file: string) => fsp.utimes(file, dayAgo, dayAgo);
/** Bytes in the store with no row: what a transaction that failed after the write leaves behind. */
const orphan = async (text: string): Promise<string> => (await store.putBuffer(Buffer.from(text))).sha256;

test('an old orphan and an old part file go; a recorded blob and a young orphan stay', async () => {
  const pdf = await makePdf('orphan-blobs-recorded', 1);
  await h.upload({ direction: 'outgoing', subject: 'Công văn giữ lại' }, h.asA, pdf);
  const recorded = sha(pdf);
  await age(store.pathOf(recorded));
  const oldOrphan = await orphan('bytes of a refused upload');
  await age(store.pathOf(oldOrphan));
  const youngOrphan = await orphan('bytes of an upload still in its transaction');
  const deadPart = path.join(h.blobDir, 'tmp', 'dead-upload.part');
  const livePart = path.join(h.blobDir, 'tmp', 'live-upload.part');
  fs.writeFileSync(deadPart, 'half an upload');
  fs.writeFileSync(livePart, 'an upload in progress');
  await age(deadPart);

  const outcome = await sweep();

  expect(outcome).toMatchObject({ removed: 1, restored: 0, partsRemoved: 1 });
  expect(outcome.removedBytes).toBe(Buffer.byteLength('bytes of a refused upload'));
  expect(fs.existsSync(store.pathOf(oldOrphan))).toBe(false);
  expect(fs.existsSync(store.pathOf(recorded))).toBe(true);
  expect(fs.existsSync(store.pathOf(youngOrphan))).toBe(true);
  expect(fs.existsSync(deadPart)).toBe(false);
  expect(fs.existsSync(livePart)).toBe(true);
  // The recorded document still reads back whole.
  const { rows } = await h.fixture.pool.query<{ document_id: string }>(
    'SELECT document_id FROM document_versions WHERE sha256 = $1',
    [recorded],
  );
  const content = await h.app.inject({
    method: 'GET',
    url: `/v1/documents/${rows[0]?.document_id}/content`,
    headers: h.asA,
  });
  expect(content.statusCode).toBe(200);
  expect(sha(content.rawPayload)).toBe(recorded);
});

test('storing bytes that already exist restarts their grace period, so the transaction about to use them keeps them', async () => {
  const bytes = Buffer.from('the same scan uploaded again');
  const first = await store.putBuffer(bytes);
  await age(store.pathOf(first.sha256));
  const again = await store.putBuffer(bytes);
  expect(again.created).toBe(false);

  await sweep();

  expect(fs.existsSync(store.pathOf(first.sha256))).toBe(true);
});

test('a file that turns out fresh once moved aside is put back at once', async () => {
  const fresh = await orphan('written between the listing and the move');
  const withdrawn = await store.withdraw(fresh, Date.now() - grace);
  expect(withdrawn).toBeNull();
  expect(fs.existsSync(store.pathOf(fresh))).toBe(true);
  expect(fs.readdirSync(path.join(h.blobDir, 'trash'))).toEqual([]);
});

test('what a crashed sweep left aside is restored when recorded and deleted when not', async () => {
  const pdf = await makePdf('orphan-blobs-crash', 1);
  await h.upload({ direction: 'outgoing', subject: 'Công văn bị dời đi' }, h.asA, pdf);
  const recorded = sha(pdf);
  const lost = await orphan('an orphan the crashed sweep had moved');
  for (const digest of [recorded, lost]) {
    await age(store.pathOf(digest));
    expect(await store.withdraw(digest, Date.now() - grace)).not.toBeNull();
    expect(fs.existsSync(store.pathOf(digest))).toBe(false);
  }

  const outcome = await sweep();

  expect(outcome).toMatchObject({ restored: 1, removed: 1 });
  expect(fs.existsSync(store.pathOf(recorded))).toBe(true);
  expect(sha(fs.readFileSync(store.pathOf(recorded)))).toBe(recorded);
  expect(fs.existsSync(store.pathOf(lost))).toBe(false);
  expect(fs.readdirSync(path.join(h.blobDir, 'trash'))).toEqual([]);
});

test('two sweeps at once remove each orphan once and keep every recorded blob', async () => {
  const orphans = await Promise.all(Array.from({ length: 30 }, (_, i) => orphan(`orphan number ${i}`)));
  for (const digest of orphans) await age(store.pathOf(digest));
  const pdf = await makePdf('orphan-blobs-parallel', 1);
  await h.upload({ direction: 'outgoing', subject: 'Công văn song song' }, h.asA, pdf);
  await age(store.pathOf(sha(pdf)));

  const [a, b] = await Promise.all([sweep(), sweep()]);

  expect(a.removed + b.removed).toBe(30);
  expect(a.restored + b.restored).toBe(0);
  for (const digest of orphans) expect(fs.existsSync(store.pathOf(digest))).toBe(false);
  expect(fs.existsSync(store.pathOf(sha(pdf)))).toBe(true);
});
