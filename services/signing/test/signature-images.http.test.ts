import type { Identity, Role } from '@vanthu/platform';
import { serviceFixture } from '../../../test/support/service-fixture';
import type { ServiceFixture } from '../../../test/support/service-fixture';
import { agencyA } from '../../../test/support/identities';
import { multipartBody } from '../../../test/support/multipart';
import { migrationsDir } from '../src/config';
import { blueSignaturePng, redSealPng } from './fixtures/images';
import { signingTestApp } from './signing-app';
import type { SigningTestApp } from './signing-app';

// POST /v1/signature-images through the platform's upload reader: one PNG part and one metadata part, every bad
// input a problem+json naming what is wrong, nothing stored for a refused upload.

let fx: ServiceFixture;
let signing: SigningTestApp;

const person = (userId: string, roles: Role[]): Identity => ({ userId, agencyCode: agencyA, roles });
const clerk = person('van-thu', ['clerk']);
const specialist = person('chuyen-vien', ['specialist']);

type Part = { name: string; value: string | Buffer; filename?: string; contentType?: string };
const upload = (identity: Identity, parts: Part[]) => {
  const { body, contentType } = multipartBody(parts);
  return signing.app.inject({
    method: 'POST',
    url: '/v1/signature-images',
    headers: { 'x-vanthu-identity': signing.kit.assertionFor(identity), 'content-type': contentType },
    payload: body,
  });
};
const image = (png: Buffer): Part => ({ name: 'file', value: png, filename: 'anh.png', contentType: 'image/png' });
const metadata = (value: unknown): Part => ({
  name: 'metadata',
  value: typeof value === 'string' ? value : JSON.stringify(value),
});
const storedImages = async (): Promise<number> =>
  Number((await fx.pool.query<{ n: string }>('SELECT count(*) AS n FROM signature_images')).rows[0]?.n);

beforeAll(async () => {
  fx = await serviceFixture('signing-images', migrationsDir);
  signing = await signingTestApp(fx);
});
afterAll(async () => {
  await signing?.close();
  await fx?.close();
});

describe('signature images', () => {
  it('stores a seal for the clerk and a signature for its owner, whichever part comes first', async () => {
    const seal = await upload(clerk, [metadata({ kind: 'seal', widthMm: 36 }), image(redSealPng())]);
    expect(seal.statusCode).toBe(201);
    expect(seal.json()).toMatchObject({ kind: 'seal', owner: agencyA, widthPx: 400, heightPx: 400, widthMm: 36 });
    const signature = await upload(specialist, [image(blueSignaturePng()), metadata({ kind: 'signature' })]);
    expect(signature.statusCode).toBe(201);
    expect(signature.json()).toMatchObject({ kind: 'signature', owner: 'chuyen-vien', widthMm: null });
    const { rows } = await fx.pool.query<{ owner: string; kind: string; png: Buffer }>(
      'SELECT owner, kind, png FROM signature_images ORDER BY created_at',
    );
    expect(rows.map((r) => [r.owner, r.kind])).toEqual([
      [agencyA, 'seal'],
      ['chuyen-vien', 'signature'],
    ]);
    expect(rows[1]?.png.equals(blueSignaturePng())).toBe(true);
  });

  it('refuses bad uploads with a problem naming the field, and stores nothing', async () => {
    const before = await storedImages();
    const cases: { parts: Part[]; status: number; code: string; field?: string; who?: Identity }[] = [
      {
        parts: [metadata({ kind: 'nope' }), image(blueSignaturePng())],
        status: 400,
        code: 'INVALID_METADATA',
        field: 'metadata.kind',
      },
      {
        parts: [metadata({ kind: 'signature', extra: 1 }), image(blueSignaturePng())],
        status: 400,
        code: 'INVALID_METADATA',
        field: 'metadata.extra',
      },
      {
        parts: [metadata('{not json'), image(blueSignaturePng())],
        status: 400,
        code: 'VALIDATION_FAILED',
        field: 'metadata',
      },
      { parts: [image(blueSignaturePng())], status: 400, code: 'VALIDATION_FAILED', field: 'metadata' },
      { parts: [metadata({ kind: 'signature' })], status: 400, code: 'VALIDATION_FAILED', field: 'file' },
      {
        parts: [metadata({ kind: 'signature' }), { name: 'note', value: 'x' }, image(blueSignaturePng())],
        status: 400,
        code: 'VALIDATION_FAILED',
        field: 'note',
      },
      {
        parts: [metadata({ kind: 'seal' }), image(blueSignaturePng())],
        status: 403,
        code: 'FORBIDDEN',
        who: specialist,
      },
      {
        parts: [metadata({ kind: 'seal' }), image(Buffer.from('GIF89a'))],
        status: 415,
        code: 'UNSUPPORTED_MEDIA_TYPE',
      },
      // The service's multipart limit is 2 MiB for a file.
      {
        parts: [metadata({ kind: 'signature' }), image(Buffer.alloc(2 * 1024 * 1024 + 1, 1))],
        status: 413,
        code: 'PAYLOAD_TOO_LARGE',
      },
    ];
    for (const c of cases) {
      const response = await upload(c.who ?? clerk, c.parts);
      expect([response.statusCode, response.json().code]).toEqual([c.status, c.code]);
      expect(response.headers['content-type']).toMatch(/application\/problem\+json/);
      if (c.field) expect(response.json().errors.map((e: { field: string }) => e.field)).toContain(c.field);
    }
    expect(await storedImages()).toBe(before);
  });

  it('refuses a request that is not multipart with 415', async () => {
    const response = await signing.app.inject({
      method: 'POST',
      url: '/v1/signature-images',
      headers: { 'x-vanthu-identity': signing.kit.assertionFor(clerk), 'content-type': 'application/json' },
      payload: JSON.stringify({ kind: 'seal' }),
    });
    expect([response.statusCode, response.json().code]).toEqual([415, 'UNSUPPORTED_MEDIA_TYPE']);
  });
});
