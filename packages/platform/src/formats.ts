import { FormatRegistry } from '@sinclair/typebox';

// TypeBox checks formats only when they are registered; these are the ones our contracts use.
// (HTTP validation goes through Ajv with ajv-formats; this is for TypeBox's own checks of
// events and configuration.)
const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;
const dateTime = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i;

export function registerFormats(): void {
  if (!FormatRegistry.Has('uuid')) FormatRegistry.Set('uuid', (value) => uuid.test(value));
  if (!FormatRegistry.Has('date-time'))
    FormatRegistry.Set('date-time', (value) => dateTime.test(value) && !Number.isNaN(Date.parse(value)));
}

registerFormats();
