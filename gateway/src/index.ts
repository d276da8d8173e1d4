export { buildGateway } from './app';
export type { GatewayDeps } from './app';
export { gatewayConfigSchema, parseIssuers } from './config';
export { composeOpenApi } from './openapi/compose';
