import fc from 'fast-check';
import { startHarness } from './http-harness';
import type { Harness } from './http-harness';
import { clerkOf } from '../../../test/support/identities';

// Paging through GET /v1/documents must return every document exactly once, however many share a
// millisecond or even a microsecond: created_at has microseconds, and the cursor has to carry them.

let h: Harness;
beforeAll(async () => {
  h = await startHarness('searchpaging');
});
afterAll(async () => {
  await h.close();
});

type Page = { items: { id: string; createdAt: string }[]; nextCursor: string | null };

async function pageThrough(headers: Record<string, string>, limit: number, query = ''): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | null = null;
  for (let pages = 0; pages < 10_000; pages += 1) {
    const url: string = `/v1/documents?limit=${limit}${query}${cursor ? `&cursor=${cursor}` : ''}`;
    const response = await h.app.inject({ method: 'GET', url, headers });
    expect(response.statusCode).toBe(200);
    const page = response.json<Page>();
    expect(page.items.length).toBeLessThanOrEqual(limit);
    ids.push(...page.items.map((item) => item.id));
    if (page.nextCursor === null) return ids;
    cursor = page.nextCursor;
  }
  throw new Error('paging did not end');
}

/** The order the API promises (newest first, then id), computed by PostgreSQL from the stored rows. */
async function expectedOrder(agencyCode: string): Promise<string[]> {
  const { rows } = await h.fixture.pool.query<{ id: string }>(
    'SELECT id FROM documents WHERE agency_code = $1 ORDER BY created_at DESC, id DESC',
    [agencyCode],
  );
  return rows.map((row) => row.id);
}

// A burst: `size` documents within one millisecond, at microsecond offsets drawn from `spread`
// (spread 1: all in the same microsecond, so only the id orders them).
const burst = fc.record({
  size: fc.integer({ min: 1, max: 120 }),
  spread: fc.constantFrom(1, 2, 7, 1000),
  gapMs: fc.integer({ min: 0, max: 3 }),
});
const runs = Number(process.env.VANTHU_PAGING_RUNS ?? 8);

describe('cursor pagination of GET /v1/documents', () => {
  let agencySeed = 0;
  let rowsPaged = 0;

  it('returns every row of bursts created in the same millisecond exactly once, in order, for any page size', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(burst, { minLength: 5, maxLength: 60 }),
        fc.integer({ min: 5, max: 200 }),
        async (bursts, limit) => {
          agencySeed += 1;
          const agencyCode = `000.00.77.P${String(agencySeed).padStart(2, '0')}`;
          // Microseconds since a fixed instant; rows are inserted directly so thousands cost one statement.
          const offsets: number[] = [];
          let ms = 0;
          let salt = agencySeed;
          for (const { size, spread, gapMs } of bursts) {
            for (let i = 0; i < size; i += 1) {
              salt = (salt * 1103515245 + 12345) % 2 ** 31;
              offsets.push(ms * 1000 + (salt % spread));
            }
            ms += gapMs;
          }
          await h.fixture.pool.query(
            `INSERT INTO documents (id, agency_code, direction, subject, current_version, created_by, created_at)
             SELECT gen_random_uuid(), $1, 'incoming', 'Văn bản đến ' || o, 1, 'van-thu-1',
                    timestamptz '2026-03-02 08:00:00+07' + o * interval '1 microsecond'
               FROM unnest($2::bigint[]) AS o`,
            [agencyCode, offsets],
          );
          const ids = await pageThrough(h.headersFor(clerkOf(agencyCode)), limit);
          expect(new Set(ids).size).toBe(ids.length);
          expect(ids).toEqual(await expectedOrder(agencyCode));
          rowsPaged += ids.length;
        },
      ),
      { numRuns: runs },
    );
    // Thousands of rows in all, or the property says little.
    expect(rowsPaged).toBeGreaterThan(runs * 150);
  });

  it('pages through real uploads sent at once', async () => {
    const agencyCode = '000.00.78.P01';
    const headers = h.headersFor(clerkOf(agencyCode));
    const uploaded = await Promise.all(
      Array.from({ length: 60 }, (_, i) =>
        h.upload({ direction: 'incoming', subject: `Văn bản đến số ${i}` }, headers),
      ),
    );
    for (const limit of [1, 7, 59]) {
      const ids = await pageThrough(headers, limit);
      expect(ids).toEqual(await expectedOrder(agencyCode));
      expect([...ids].sort()).toEqual(uploaded.map((d) => d.id).sort());
    }
  });

  it('refuses a cursor it did not issue', async () => {
    for (const cursor of ['bm90LWEtY3Vyc29y', Buffer.from('2026-03-02T01:00:00.000001Z|x').toString('base64url')]) {
      const response = await h.app.inject({ method: 'GET', url: `/v1/documents?cursor=${cursor}`, headers: h.asA });
      expect(response.statusCode).toBe(400);
    }
  });
});
