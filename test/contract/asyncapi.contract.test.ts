import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { Parser } from '@asyncapi/parser';
import { eventCatalogue } from '@vanthu/contracts';
import { apiDocsDir } from '../../infra/src/api-docs';
import { createLogger, runMigrations } from '@vanthu/platform';
import { AsyncApiChecker, publishedEventProblems } from './support/asyncapi-checker';
import { createTestDatabase } from '../support/databases';
import { queryOnce } from '../support/sql';

// docs/asyncapi.json validated by the AsyncAPI parser (the reference implementation of the specification, with its
// own rules), and the checker the test stack runs over every published event shown to accept and refuse payloads.

const text = fs.readFileSync(path.join(apiDocsDir, 'asyncapi.json'), 'utf8');
// Diagnostic severities of the parser: 0 error, 1 warning, 2 information, 3 hint.
const seriousDiagnostics = (
  diagnostics: { severity: number; code: string | number; message: string; path: unknown[] }[],
) => diagnostics.filter((d) => d.severity <= 1).map((d) => `${d.code} ${d.message} at ${d.path.join('/')}`);

const metadataUpdated = {
  documentId: randomUUID(),
  agencyCode: '000.00.31.H56',
  fields: ['subject'],
  updatedBy: 'u1',
  updatedAt: new Date().toISOString(),
};

describe('the AsyncAPI document', () => {
  it('parses and validates with @asyncapi/parser, with no error or warning', async () => {
    const { document, diagnostics } = await new Parser().parse(text);
    expect(seriousDiagnostics(diagnostics)).toEqual([]);
    expect(document).toBeDefined();
    const messages = new Map((document?.messages().all() ?? []).map((m) => [m.name() ?? m.id(), m]));
    const sent = new Set(
      (document?.operations().all() ?? [])
        .filter((operation) => operation.action() === 'send')
        .flatMap((operation) =>
          operation
            .messages()
            .all()
            .map((m) => m.name() ?? m.id()),
        ),
    );
    // Every event of the catalogue is a message, with the catalogue's payload schema and an operation sending it.
    for (const event of eventCatalogue) {
      const message = messages.get(event.type);
      expect({ type: event.type, found: message !== undefined, sent: sent.has(event.type) }).toEqual({
        type: event.type,
        found: true,
        sent: true,
      });
      expect(message?.payload()?.json()).toMatchObject({ required: event.schema.required });
    }
    expect(messages.size).toBe(eventCatalogue.length);
  });

  it('fails the parser when a message points at a schema the document does not have', async () => {
    const broken = JSON.parse(text);
    const first = Object.keys(broken.components.messages)[0] as string;
    broken.components.messages[first].payload = { $ref: '#/components/schemas/Missing' };
    const { diagnostics } = await new Parser().parse(JSON.stringify(broken));
    expect(seriousDiagnostics(diagnostics).length).toBeGreaterThan(0);
  });
});

describe('event payloads against the AsyncAPI document', () => {
  const checker = new AsyncApiChecker();

  it('accepts a payload of its message', () => {
    expect(checker.problems('vn.vanthu.document.metadata.updated.v1', metadataUpdated)).toEqual([]);
  });

  it('names what is wrong with one that is not', () => {
    const { fields: _fields, ...withoutFields } = metadataUpdated;
    expect(checker.problems('vn.vanthu.document.metadata.updated.v1', withoutFields)).toEqual([
      "vn.vanthu.document.metadata.updated.v1 must have required property 'fields'",
    ]);
    expect(
      checker.problems('vn.vanthu.document.metadata.updated.v1', { ...metadataUpdated, agencyCode: 'H56' }),
    ).toEqual([expect.stringContaining('/agencyCode must match pattern')]);
    expect(checker.problems('vn.vanthu.document.unknown.v1', {})).toEqual([
      'vn.vanthu.document.unknown.v1 is not a message of the AsyncAPI document',
    ]);
  });
});

describe('the check of published events the test stack runs', () => {
  it('reports the one event in an outbox that does not match its message, and nothing for the one that does', async () => {
    const database = await createTestDatabase('asyncapi_outbox');
    try {
      // The platform's migrations alone create the outbox every service has (an empty second set).
      const noServiceMigrations = fs.mkdtempSync(path.join(os.tmpdir(), 'vanthu-no-migrations-'));
      await runMigrations(database.url, noServiceMigrations, createLogger('asyncapi-test', 'silent'));
      fs.rmSync(noServiceMigrations, { recursive: true, force: true });
      const insert = (eventId: string, data: unknown) =>
        queryOnce(
          database.url,
          `INSERT INTO outbox (event_id, topic, message_key, event_type, source, occurred_at, data)
           VALUES ($1, 'vanthu.documents', $2, 'vn.vanthu.document.metadata.updated.v1', 'test', now(), $3)`,
          [eventId, metadataUpdated.documentId, JSON.stringify(data)],
        );
      const good = randomUUID();
      const bad = randomUUID();
      await insert(good, metadataUpdated);
      await insert(bad, { ...metadataUpdated, fields: [] });
      expect(await publishedEventProblems([database.url])).toEqual([
        `vn.vanthu.document.metadata.updated.v1/fields must NOT have fewer than 1 items (event ${bad})`,
      ]);
    } finally {
      await database.drop();
    }
  });
});
