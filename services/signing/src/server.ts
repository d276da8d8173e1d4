import { documentCreatedV1, topicName } from '@vanthu/contracts';
import { createServiceClaimVerifier, runService } from '@vanthu/platform';
import type { ServiceContext } from '@vanthu/platform';
import { buildApp } from './app';
import { migrationsDir, signingConfigSchema } from './config';
import type { SigningConfig } from './config';
import { createSigningDeps } from './create-signing-deps';
import { incomingDocumentHandler } from './validations/validate-incoming-document';
import { createValidationDeps } from './validations/validation-deps';
import type { ValidationDeps } from './validations/validation-deps';
import { HsmConnection, readPin } from './hsm/hsm-connection';
import { CertificateCheckWorker } from './certificate-check-worker';

let hsm: HsmConnection | undefined;
let validation: ValidationDeps | undefined;
let certificateChecks: CertificateCheckWorker | undefined;
// Consumers are built before the app; both share one validator pool.
const validationDeps = (context: ServiceContext<SigningConfig>): ValidationDeps =>
  (validation ??= createValidationDeps(context.config, context.pool, context.serviceIdentity));

void runService({
  name: 'signing',
  configSchema: signingConfigSchema,
  migrationsDir,
  topics: ['vanthu.signing', 'vanthu.documents'],
  consumers: (context) => [
    {
      consumer: `${context.config.KAFKA_TOPIC_PREFIX}signing-incoming-validation`,
      topics: [topicName('vanthu.documents', context.config.KAFKA_TOPIC_PREFIX)],
      handlers: { [documentCreatedV1.type]: incomingDocumentHandler(validationDeps(context), context.logger) },
    },
  ],
  beforeListen: async (context) => {
    hsm = new HsmConnection({
      modulePath: context.config.HSM_MODULE_PATH,
      tokenLabel: context.config.HSM_TOKEN_LABEL,
      pin: readPin(context.config.HSM_PIN_FILE),
      poolSize: context.config.HSM_POOL_SIZE,
    });
    hsm.open();
    context.logger.info({ keys: hsm.status().keys.length, sessions: context.config.HSM_POOL_SIZE }, 'HSM token opened');
  },
  onClose: async () => {
    await certificateChecks?.stop();
    hsm?.close();
    await validation?.validator.close();
  },
  buildApp: async (context) => {
    if (!hsm) throw new Error('HSM not opened');
    const signing = createSigningDeps(context.config, context.pool, hsm);
    if (context.servicePublicKey) signing.serviceClaims = createServiceClaimVerifier(context.servicePublicKey);
    certificateChecks = new CertificateCheckWorker(
      signing,
      context.logger,
      context.config.CERTIFICATE_CHECK_INTERVAL_SECONDS,
    );
    certificateChecks.start();
    return buildApp({
      logger: context.logger,
      identityPublicKey: context.identityPublicKey,
      ...(context.servicePublicKey ? { servicePublicKey: context.servicePublicKey } : {}),
      healthChecks: context.healthChecks,
      hsm,
      signing,
      validation: validationDeps(context),
    });
  },
});
