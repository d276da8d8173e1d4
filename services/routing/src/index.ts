export { buildApp } from './app';
export type { RoutingAppDeps } from './app';
export { migrationsDir } from './config';
export { DocumentsClient } from './clients/documents-client';
export { SigningClient } from './clients/signing-client';
export { routingEventHandlers } from './events/consumers';
