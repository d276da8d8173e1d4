import type { Static, TObject } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';

export class ConfigError extends Error {
  constructor(
    readonly service: string,
    readonly problems: string[],
  ) {
    super(`${service}: invalid configuration, refusing to start:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

/**
 * Reads configuration from the environment against a TypeBox schema. Defaults are applied,
 * numeric strings converted, and every problem is reported at once so an operator can fix
 * them in one go instead of one restart per variable.
 */
export function loadConfig<T extends TObject>(
  service: string,
  schema: T,
  env: NodeJS.ProcessEnv = process.env,
): Static<T> {
  const raw: Record<string, unknown> = {};
  for (const key of Object.keys(schema.properties)) {
    const value = env[key];
    if (value !== undefined && value !== '') raw[key] = value;
  }
  const withDefaults = Value.Default(schema, raw);
  const converted = Value.Convert(schema, withDefaults);
  if (!Value.Check(schema, converted)) {
    const problems = [...Value.Errors(schema, converted)].map((e) => {
      const name = e.path.replace(/^\//, '') || '(root)';
      const shown = e.value === undefined ? 'missing' : `got ${JSON.stringify(e.value)}`;
      return `${name}: ${e.message} (${shown})`;
    });
    throw new ConfigError(service, problems);
  }
  return converted as Static<T>;
}
