import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { findEventDefinition } from '@vanthu/contracts';
import type { Pool } from '@vanthu/platform';

/** Checks every event in the outbox against its JSON Schema in the contracts package; returns the problems. */
export async function outboxProblems(pool: Pool): Promise<string[]> {
  const ajv = new Ajv({ allErrors: true, strict: false });
  addFormats(ajv);
  const { rows } = await pool.query<{ event_type: string; data: unknown }>(
    'SELECT event_type, data FROM outbox ORDER BY position',
  );
  const problems: string[] = [];
  for (const row of rows) {
    const definition = findEventDefinition(row.event_type);
    if (!definition) {
      problems.push(`${row.event_type}: not in the catalogue`);
      continue;
    }
    const validate = ajv.getSchema(definition.type) ?? ajv.compile(definition.schema);
    if (!validate(row.data)) problems.push(`${row.event_type}: ${ajv.errorsText(validate.errors)}`);
  }
  if (rows.length === 0) problems.push('the outbox is empty');
  return problems;
}
