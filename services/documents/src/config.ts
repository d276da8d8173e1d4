import path from 'node:path';
import { Type } from '@sinclair/typebox';
import type { Static } from '@sinclair/typebox';
import { serviceConfigProperties } from '@vanthu/platform';

export const documentsConfigSchema = Type.Object({
  ...serviceConfigProperties,
  PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 3101 }),
  BLOB_DIR: Type.String({ minLength: 1, description: 'Directory of the content-addressed blob store' }),
  BLOB_SWEEP_GRACE_HOURS: Type.Number({
    exclusiveMinimum: 0,
    default: 24,
    description:
      'Age below which the orphan sweeper never removes a blob file; must exceed the longest transaction that stores one',
  }),
  MAX_UPLOAD_BYTES: Type.Integer({ minimum: 1024, default: 100 * 1024 * 1024 }),
  DATABASE_POOL_SIZE: Type.Integer({ minimum: 4, maximum: 200, default: 10 }),
  NUMBERING_CONCURRENCY: Type.Optional(
    Type.Integer({
      minimum: 1,
      maximum: 100,
      description: 'Registrations that may hold a connection at once (default 60 % of the pool; the rest queue)',
    }),
  ),
  NUMBERING_MAX_QUEUED: Type.Integer({
    minimum: 0,
    default: 5_000,
    description: 'Registrations that may wait beyond those; more are refused with 503 and Retry-After',
  }),
});

export type DocumentsConfig = Static<typeof documentsConfigSchema>;

export const migrationsDir = path.resolve(__dirname, '..', 'migrations');
export const serviceVersion = '0.1.0';
