import { startHarness } from './http-harness';
import type { Harness } from './http-harness';
import { clerkOf } from '../../../test/support/identities';
import { agencyA } from '../../../test/support/identities';

let h: Harness;
beforeAll(async () => {
  h = await startHarness('accesslog');
});
afterAll(async () => {
  await h.close();
});

describe('access and print log (Phụ lục VI mục III.5–III.6)', () => {
  it('records who read, downloaded or printed which version, and pages through it', async () => {
    const document = await h.upload({ direction: 'incoming', subject: 'Theo dõi truy cập' });
    const other = h.headersFor(clerkOf(agencyA, 'chuyen-vien-2'));
    const get = (query: string, headers = h.asA) =>
      h.app.inject({ method: 'GET', url: `/v1/documents/${document.id}/content${query}`, headers });
    expect((await get('')).statusCode).toBe(200);
    const download = await get('?purpose=download&version=1', other);
    expect(download.headers['content-disposition']).toMatch(/^attachment/);
    expect((await get('?purpose=print')).statusCode).toBe(200);
    expect((await get('?purpose=copy')).statusCode).toBe(400);
    expect((await get('?version=9')).statusCode).toBe(404);

    const first = (
      await h.app.inject({ method: 'GET', url: `/v1/documents/${document.id}/access-log?limit=2`, headers: h.asA })
    ).json();
    expect(
      first.items.map((e: { action: string; userId: string; version: number }) => [e.action, e.userId, e.version]),
    ).toEqual([
      ['read', 'van-thu-1', 1],
      ['download', 'chuyen-vien-2', 1],
    ]);
    const second = (
      await h.app.inject({
        method: 'GET',
        url: `/v1/documents/${document.id}/access-log?limit=2&cursor=${first.nextCursor}`,
        headers: h.asA,
      })
    ).json();
    expect(second).toEqual({
      items: [expect.objectContaining({ action: 'print', userId: 'van-thu-1' })],
      nextCursor: null,
    });
    expect(
      (await h.app.inject({ method: 'GET', url: `/v1/documents/${document.id}/access-log`, headers: h.asB }))
        .statusCode,
    ).toBe(404);
  });
});
