import fs from 'node:fs';
import path from 'node:path';
import {
  apiDocsDir,
  clientSchemaFile,
  generateApiDocuments,
  generateClientSchema,
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
});
