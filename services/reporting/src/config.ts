import path from 'node:path';
import { Type } from '@sinclair/typebox';
import type { Static } from '@sinclair/typebox';
import { serviceConfigProperties } from '@vanthu/platform';

export const reportingConfigSchema = Type.Object({
  ...serviceConfigProperties,
  PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 3104 }),
  CONSUMER_GROUP: Type.String({ default: 'reporting', pattern: '^[A-Za-z0-9._-]+$' }),
});
export type ReportingConfig = Static<typeof reportingConfigSchema>;

export const migrationsDir = path.resolve(__dirname, '..', 'migrations');
export const serviceVersion = '0.1.0';
