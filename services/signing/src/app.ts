import multipart from '@fastify/multipart';
import { buildServiceApp, registerWorkQueues } from '@vanthu/platform';
import type { HealthCheck, Logger, ServiceApp } from '@vanthu/platform';
import { serviceVersion } from './config';
import type { SigningDeps } from './signatures/signing-deps';
import type { ValidationDeps } from './validations/validation-deps';
import type { HsmConnection } from './hsm/hsm-connection';
import { serviceSealRoutes } from './routes/service-seal-routes';
import { signingKeyRoutes } from './routes/signing-key-routes';
import { edxmlSignatureRoutes } from './routes/edxml-signature-routes';
import { signingRoutes } from './routes/signing-routes';
import { validationRoutes } from './routes/validation-routes';
import { operationRoles } from './routes/operation-roles';

/**
 * `signing` is absent only when the app is built to generate API documents (infra/src/api-docs.ts):
 * routes are registered for their schemas and never called.
 */
export type SigningAppDeps = {
  logger: Logger;
  identityPublicKey: string;
  /** Accepts service identity assertions (other services calling from their consumers). */
  servicePublicKey?: string;
  healthChecks?: HealthCheck[];
  hsm: HsmConnection;
  signing?: SigningDeps;
  validation?: ValidationDeps;
};

export async function buildApp(deps: SigningAppDeps): Promise<ServiceApp> {
  const app = await buildServiceApp({
    name: 'signing',
    version: serviceVersion,
    description:
      'PAdES signing with organisation seals in the HSM and personal tokens (two-step), NĐ 30 appearances, certificate registry (ký số), and signature validation (ETSI EN 319 102-1 indications, modification analysis, attack detection).',
    logger: deps.logger,
    identityPublicKey: deps.identityPublicKey,
    operationRoles,
    ...(deps.servicePublicKey ? { servicePublicKey: deps.servicePublicKey } : {}),
    // Batch complete requests carry up to 200 signatures and certificate chains.
    bodyLimitBytes: 8 * 1024 * 1024,
    healthChecks: [
      ...(deps.healthChecks ?? []),
      {
        name: 'hsm',
        check: async () => {
          const status = deps.hsm.status();
          return { token: status.tokenLabel, keys: status.keys.length, sessions: status.sessions };
        },
      },
    ],
  });
  await app.register(multipart, { limits: { fileSize: 2 * 1024 * 1024, files: 1, fields: 2, parts: 3 } });
  await signingRoutes(app, deps.signing ?? ({ hsm: deps.hsm } as SigningDeps));
  await signingKeyRoutes(app, deps.signing ?? ({ hsm: deps.hsm } as SigningDeps));
  await serviceSealRoutes(app, deps.signing ?? ({ hsm: deps.hsm } as SigningDeps));
  await edxmlSignatureRoutes(app, deps.signing ?? ({ hsm: deps.hsm } as SigningDeps));
  await validationRoutes(app, deps.validation ?? ({} as ValidationDeps));
  const validator = deps.validation?.validator;
  registerWorkQueues('signing', {
    'hsm-sessions': () => deps.hsm.load(),
    ...(validator ? { 'validation-workers': () => validator.load() } : {}),
  });
  return app;
}
