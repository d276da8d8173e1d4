import fs from 'node:fs';
import path from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import type { ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import pg from 'pg';

// Checks event payloads against the published AsyncAPI document (docs/asyncapi.json), as ContractChecker checks
// responses against the OpenAPI one. The test stack (test/support/test-stack.ts) runs it over every event its
// services wrote to their outboxes, so every event an e2e or contract test makes a service publish is checked
// against the document integrators read, not only against the TypeBox schema the service validated it with.

type AsyncApi = { components: { messages: Record<string, { name?: string; payload?: object }> } };

const asyncApiFile = path.join(__dirname, '..', '..', '..', 'docs', 'asyncapi.json');

export class AsyncApiChecker {
  private readonly validators = new Map<string, ValidateFunction>();

  constructor(document: AsyncApi = JSON.parse(fs.readFileSync(asyncApiFile, 'utf8')) as AsyncApi) {
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    addFormats(ajv);
    for (const [key, message] of Object.entries(document.components.messages)) {
      if (!message.payload) continue;
      // Payloads carry their event type as $id; compiled one by one, each keeps its own.
      this.validators.set(message.name ?? key, ajv.compile(message.payload));
    }
  }

  /** What is wrong with an event's data for its type (empty when it matches its message payload). */
  problems(eventType: string, data: unknown): string[] {
    const validate = this.validators.get(eventType);
    if (!validate) return [`${eventType} is not a message of the AsyncAPI document`];
    if (validate(data)) return [];
    return (validate.errors ?? []).map((error) => `${eventType}${error.instancePath} ${error.message ?? 'invalid'}`);
  }
}

// undefined_table (a service without an outbox), invalid_catalog_name (a database never created).
const nothingToCheck = new Set(['42P01', '3D000']);

/**
 * Every event in the outboxes of the given service databases, checked against the AsyncAPI document: the problems
 * found, each naming the event. A database without an outbox (or already gone) has nothing to check.
 */
export async function publishedEventProblems(
  databaseUrls: string[],
  checker = new AsyncApiChecker(),
): Promise<string[]> {
  const found: string[] = [];
  for (const url of databaseUrls) {
    const client = new pg.Client({ connectionString: url });
    try {
      await client.connect();
      const { rows } = await client.query<{ event_id: string; event_type: string; data: unknown }>(
        'SELECT event_id, event_type, data FROM outbox ORDER BY position',
      );
      for (const row of rows)
        for (const problem of checker.problems(row.event_type, row.data))
          found.push(`${problem} (event ${row.event_id})`);
    } catch (error) {
      if (!nothingToCheck.has((error as { code?: string }).code ?? '')) throw error;
    } finally {
      await client.end().catch(() => undefined);
    }
  }
  return found;
}
