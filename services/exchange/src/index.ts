export { buildApp } from './app';
export { migrationsDir } from './config';
export { buildEdxml, buildStatusMessage } from './domain/edxml/build-edxml';
export { parseEdxml, EdxmlRefused } from './domain/edxml/parse-edxml';
export * from './domain/edxml/model';
