export { buildApp } from './app';
export { migrationsDir } from './config';
