import fs from 'node:fs';
import os from 'node:os';
import { serviceFixture } from '../../../test/support/service-fixture';
import type { ServiceFixture } from '../../../test/support/service-fixture';
import { agencyA, clerkOf } from '../../../test/support/identities';
import { multipartBody } from '../../../test/support/multipart';
import { migrationsDir } from '../src/config';
import { signingTestApp } from './signing-app';
import type { SigningTestApp } from './signing-app';

// POST /v1/edxml-signatures over its size limit: the message streams to a spool file, and one past the limit is cut
// there and answered 413 (problem+json), with the spool removed; one at the limit is read and judged on what it
// says. The limit is lowered for the test (SigningDeps.maxEdxmlBytes; 2 GiB in the service).

const limitBytes = 256 * 1024;
let fx: ServiceFixture;
let signing: SigningTestApp;

/** A well-formed message of exactly `size` bytes that is not edXML, so that only its size can make it 413. */
const messageOf = (size: number): Buffer => {
  const head = '<?xml version="1.0" encoding="UTF-8"?><note>';
  const tail = '</note>';
  return Buffer.from(`${head}${'x'.repeat(size - head.length - tail.length)}${tail}`, 'utf8');
};
const post = (edxml: Buffer) => {
  const { body, contentType } = multipartBody([
    { name: 'metadata', value: '{}' },
    { name: 'file', value: edxml, filename: 'message.edxml', contentType: 'application/xml' },
  ]);
  return signing.app.inject({
    method: 'POST',
    url: '/v1/edxml-signatures',
    headers: { 'x-vanthu-identity': signing.kit.assertionFor(clerkOf(agencyA)), 'content-type': contentType },
    payload: body,
  });
};
const spools = () => fs.readdirSync(os.tmpdir()).filter((name) => name.startsWith('edxml-upload-'));

beforeAll(async () => {
  fx = await serviceFixture('signing-edxml-limit', migrationsDir);
  signing = await signingTestApp(fx, { maxEdxmlBytes: limitBytes });
});
afterAll(async () => {
  await signing?.close();
  await fx?.close();
});

it('answers 413 for a message one byte over the limit and leaves no spool behind', async () => {
  const before = spools();
  const over = await post(messageOf(limitBytes + 1));
  expect(over.statusCode).toBe(413);
  expect(over.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(over.json()).toMatchObject({ status: 413, detail: `the edXML exceeds ${limitBytes} bytes` });
  expect(spools().filter((name) => !before.includes(name))).toEqual([]);
});

it('reads a message at the limit and judges it on its content (not edXML: 422), not on its size', async () => {
  const at = await post(messageOf(limitBytes));
  expect(at.statusCode).toBe(422);
  expect(at.json()).toMatchObject({ detail: 'the edXML cannot be signed: the root is not edXML' });
});
