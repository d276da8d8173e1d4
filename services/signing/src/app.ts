import { buildServiceApp } from '@vanthu/platform';
import type { HealthCheck, Logger, ServiceApp } from '@vanthu/platform';
import { serviceVersion } from './config';
import type { HsmConnection } from './hsm/hsm-connection';

export type SigningAppDeps = { logger: Logger; identityPublicKey: string; hsm: HsmConnection; healthChecks?: HealthCheck[] };

export async function buildApp(deps: SigningAppDeps): Promise<ServiceApp> {
  return buildServiceApp({
    name: 'signing',
    version: serviceVersion,
    description: 'PAdES signing with organisation seals in the HSM and personal tokens, certificates and validation (ký số).',
    logger: deps.logger,
    identityPublicKey: deps.identityPublicKey,
    healthChecks: [
      ...(deps.healthChecks ?? []),
      {
        name: 'hsm',
        check: async () => {
          const status = deps.hsm.status();
          return { token: status.tokenLabel, keys: status.keys.length };
        },
      },
    ],
  });
}
