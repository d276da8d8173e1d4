import { buildServiceApp } from '@vanthu/platform';
import type { Clock, HealthCheck, Logger, Pool, ServiceApp } from '@vanthu/platform';
import { serviceVersion } from './config';
import type { DocumentsClient } from './clients/documents-client';
import type { SigningClient } from './clients/signing-client';
import type { BlobStore } from '@vanthu/platform';
import { exchangeReadSchemas, exchangeSchemas } from './schemas/exchange';
import { exchangeRoutes } from './routes/exchanges';
import { validationRoutes } from './routes/validations';
import { operationRoles } from './routes/operation-roles';

export type ExchangeAppDeps = {
  logger: Logger;
  pool: Pool;
  identityPublicKey: string;
  servicePublicKey?: string;
  healthChecks?: HealthCheck[];
  maxMessageBytes?: number;
  /** The documents service (a recall the clerk agrees to revokes the incoming document there). */
  documents?: DocumentsClient;
  /** Signs the updates and replacements a clerk sends (XML-DSig with the agency seal). */
  signing?: SigningClient;
  /** DER of the CAs received signatures must chain to (the validation endpoint reports the chain). */
  trust?: Buffer[];
  topicPrefix?: string;
  /** Tests move time instead of sleeping. */
  clock?: Clock;
  /** The messages sent and received, as files (MESSAGE_DIR). */
  messages: BlobStore;
};

export async function buildApp(deps: ExchangeAppDeps): Promise<ServiceApp> {
  const maxMessageBytes = deps.maxMessageBytes ?? 64 * 1024 * 1024;
  const app = await buildServiceApp({
    name: 'exchange',
    version: serviceVersion,
    description:
      'Inter-agency exchange through the interoperability hubs: edXML of QCVN 102:2016, status messages, hub adapters and the exchange log.',
    logger: deps.logger,
    identityPublicKey: deps.identityPublicKey,
    operationRoles,
    ...(deps.servicePublicKey ? { servicePublicKey: deps.servicePublicKey } : {}),
    healthChecks: deps.healthChecks ?? [],
    bodyLimitBytes: maxMessageBytes,
  });
  for (const schema of [...exchangeSchemas, ...exchangeReadSchemas]) app.addSchema(schema);
  await validationRoutes(app, {
    maxMessageBytes,
    trust: deps.trust ?? [],
    ...(deps.clock ? { clock: deps.clock } : {}),
  });
  await exchangeRoutes(app, {
    pool: deps.pool,
    ...(deps.documents ? { documents: deps.documents } : {}),
    ...(deps.signing ? { signing: deps.signing } : {}),
    trust: deps.trust ?? [],
    topicPrefix: deps.topicPrefix ?? '',
    ...(deps.clock ? { clock: deps.clock } : {}),
    maxMessageBytes,
    messages: deps.messages,
  });
  return app;
}
