export { buildApp } from './app';
export { HsmConnection, HsmUnavailableError } from './hsm/hsm-connection';
export { migrationsDir } from './config';
