import path from 'node:path';
import { Type } from '@sinclair/typebox';
import type { Static } from '@sinclair/typebox';
import { serviceConfigProperties } from '@vanthu/platform';

export const documentsConfigSchema = Type.Object({
  ...serviceConfigProperties,
  PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 3101 }),
  BLOB_DIR: Type.String({ minLength: 1, description: 'Directory of the content-addressed blob store' }),
  MAX_UPLOAD_BYTES: Type.Integer({ minimum: 1024, default: 100 * 1024 * 1024 }),
});

export type DocumentsConfig = Static<typeof documentsConfigSchema>;

export const migrationsDir = path.resolve(__dirname, '..', 'migrations');
export const serviceVersion = '0.1.0';
