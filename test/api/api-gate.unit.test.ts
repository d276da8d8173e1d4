import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { checkCompatibility, releasedDocsDir } from '../../infra/src/api-docs';

// The breaking-change gate (Redocly's diff against docs/released/) on copies of the released documents changed on
// purpose (the committed documents are checked in test/contract/api-compatibility.contract.test.ts): a breaking change to a response schema or an event payload fails it unless the major version goes up,
// and a compatible one passes.

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const read = (file: string): Json => JSON.parse(fs.readFileSync(file, 'utf8')) as Json;
let dir: string;
const write = (name: string, document: Json): string => {
  const file = path.join(dir, name);
  fs.writeFileSync(file, JSON.stringify(document, null, 2));
  return file;
};
const releasedOpenApi = path.join(releasedDocsDir, 'openapi.json');
const releasedAsyncApi = path.join(releasedDocsDir, 'asyncapi.json');

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vanthu-api-gate-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('breaking-change gate (docs/released)', () => {
  // The Document schema is the 201 body of a registration (and referenced by other responses).
  const withDocumentSchema = (change: (schema: Json) => void, version?: string): Json => {
    const document = read(releasedOpenApi);
    change(document.components.schemas.Document);
    if (version) document.info.version = version;
    return document;
  };

  it('fails when a response property is removed and the major version stays', () => {
    const current = write(
      'breaking.json',
      withDocumentSchema((schema) => {
        delete schema.properties.agencyCode;
        schema.required = schema.required.filter((name: string) => name !== 'agencyCode');
      }),
    );
    const verdict = checkCompatibility(releasedOpenApi, current);
    expect(verdict.ok).toBe(false);
    expect(verdict.breaking).toBeGreaterThan(0);
    expect(verdict.changes).toContainEqual(
      expect.objectContaining({ impact: 'major', message: expect.stringContaining('agencyCode') }),
    );
  });

  it('fails when a response property changes its type', () => {
    const current = write(
      'retyped.json',
      withDocumentSchema((schema) => {
        schema.properties.subject = { type: 'integer' };
      }),
    );
    expect(checkCompatibility(releasedOpenApi, current).ok).toBe(false);
  });

  it('lets the same breaking change through with the next major version', () => {
    const released = read(releasedOpenApi);
    const nextMajor = `${Number(String(released.info.version).split('.')[0]) + 1}.0.0`;
    const current = write(
      'breaking-major.json',
      withDocumentSchema((schema) => {
        delete schema.properties.agencyCode;
        schema.required = schema.required.filter((name: string) => name !== 'agencyCode');
      }, nextMajor),
    );
    const verdict = checkCompatibility(releasedOpenApi, current);
    expect(verdict.breaking).toBeGreaterThan(0);
    expect(verdict.ok).toBe(true);
  });

  it('passes a compatible change: an optional response property added', () => {
    const current = write(
      'compatible.json',
      withDocumentSchema((schema) => {
        schema.properties.archivedAt = { type: 'string', format: 'date-time' };
      }),
    );
    const verdict = checkCompatibility(releasedOpenApi, current);
    expect(verdict.ok).toBe(true);
    expect(verdict.breaking).toBe(0);
    expect(verdict.changes).toContainEqual(
      expect.objectContaining({ impact: 'minor', where: expect.stringContaining('archivedAt') }),
    );
  });

  it('fails when an event payload loses a required field', () => {
    const document = read(releasedAsyncApi);
    const payload = document.components.messages['vn.vanthu.document.created.v1'].payload;
    delete payload.properties.sha256;
    payload.required = payload.required.filter((name: string) => name !== 'sha256');
    const verdict = checkCompatibility(releasedAsyncApi, write('async-breaking.json', document));
    expect(verdict.ok).toBe(false);
    expect(verdict.changes).toContainEqual(
      expect.objectContaining({ impact: 'major', message: expect.stringContaining('sha256') }),
    );
  });
});
