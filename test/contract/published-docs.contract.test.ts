import fs from 'node:fs';
import path from 'node:path';
import {
  apiDocsDir,
  clientSchemaFile,
  generateApiDocuments,
  generateClientSchema,
  generateReferencePage,
  referencePageFile,
  serialise,
} from '../../infra/src/api-docs';

// docs/openapi.json and docs/asyncapi.json are what integrators read in the repository; they
// must be exactly what the code generates (regenerate with `npm run docs`).
describe('committed API documents', () => {
  it('are current with the route schemas and the event catalogue', async () => {
    const { openapi, asyncapi } = await generateApiDocuments();
    expect(fs.readFileSync(path.join(apiDocsDir, 'openapi.json'), 'utf8')).toBe(serialise(openapi));
    expect(fs.readFileSync(path.join(apiDocsDir, 'asyncapi.json'), 'utf8')).toBe(serialise(asyncapi));
  });

  it('include the typed client generated from the committed OpenAPI document', () => {
    // packages/client/src/generated/openapi.ts is openapi-typescript's output for docs/openapi.json.
    expect(fs.readFileSync(clientSchemaFile, 'utf8')).toBe(generateClientSchema(path.join(apiDocsDir, 'openapi.json')));
  });

  it('include the API reference page built from the committed OpenAPI document', () => {
    // docs/reference.html is Redoc's page for docs/openapi.json (redocly build-docs, scripts inlined).
    const committed = fs.readFileSync(referencePageFile, 'utf8');
    expect(committed === generateReferencePage(path.join(apiDocsDir, 'openapi.json'))).toBe(true);
    // It is the page of this document: its title and every operation id are in it.
    const openapi = JSON.parse(fs.readFileSync(path.join(apiDocsDir, 'openapi.json'), 'utf8')) as {
      paths: Record<string, Record<string, { operationId?: string }>>;
    };
    expect(committed).toContain('<title>vanthu API reference</title>');
    const ids = Object.values(openapi.paths).flatMap((item) =>
      Object.values(item).flatMap((op) => (typeof op === 'object' && op.operationId ? [op.operationId] : [])),
    );
    expect(ids.length).toBeGreaterThan(100);
    expect(ids.filter((id) => !committed.includes(id))).toEqual([]);
  });
});
