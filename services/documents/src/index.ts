export { buildApp } from './app';
export type { DocumentsAppDeps } from './app';
export { BlobStore } from '@vanthu/platform';
export { migrationsDir } from './config';
