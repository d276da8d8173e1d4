export { buildApp } from './app';
export type { DocumentsAppDeps } from './app';
export { BlobStore } from './storage/blob-store';
export { migrationsDir } from './config';
