import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { apiDocsDir, lintOpenApi } from '../../infra/src/api-docs';

// The lint rules of docs/redocly.yaml on the committed OpenAPI document, and on a copy broken on purpose to show that
// the rules fail when they should.

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const read = (file: string): Json => JSON.parse(fs.readFileSync(file, 'utf8')) as Json;
let dir: string;
const write = (name: string, document: Json): string => {
  const file = path.join(dir, name);
  fs.writeFileSync(file, JSON.stringify(document, null, 2));
  return file;
};

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vanthu-api-lint-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('OpenAPI lint (docs/redocly.yaml)', () => {
  it('passes on the committed document', () => {
    const { ok, report } = lintOpenApi();
    expect(report).toContain('validated');
    expect(ok).toBe(true);
  });

  it('fails on a duplicated operation id, a missing summary and an operation without a declared 4xx', () => {
    const document = read(path.join(apiDocsDir, 'openapi.json'));
    const upload = document.paths['/v1/documents'].post;
    document.paths['/v1/documents'].get.operationId = upload.operationId;
    delete document.paths['/v1/registers'].get.summary;
    const responses = document.paths['/v1/registers'].post.responses;
    for (const status of Object.keys(responses)) if (status.startsWith('4')) delete responses[status];
    const { ok, report } = lintOpenApi(write('bad-openapi.json', document));
    expect(ok).toBe(false);
    expect(report).toContain('operation-operationId-unique');
    expect(report).toContain('operation-summary');
    expect(report).toContain('operation-4xx-response');
  });
});
