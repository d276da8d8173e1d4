import { runService } from '@vanthu/platform';
import { buildApp } from './app';
import { migrationsDir, signingConfigSchema } from './config';
import { createSigningDeps } from './create-signing-deps';
import { HsmConnection, readPin } from './hsm/hsm-connection';

let hsm: HsmConnection | undefined;

void runService({
  name: 'signing',
  configSchema: signingConfigSchema,
  migrationsDir,
  topics: ['vanthu.signing', 'vanthu.documents'],
  beforeListen: async (context) => {
    hsm = new HsmConnection({ modulePath: context.config.HSM_MODULE_PATH, tokenLabel: context.config.HSM_TOKEN_LABEL, pin: readPin(context.config.HSM_PIN_FILE), poolSize: context.config.HSM_POOL_SIZE });
    hsm.open();
    context.logger.info({ keys: hsm.status().keys.length, sessions: context.config.HSM_POOL_SIZE }, 'HSM token opened');
  },
  onClose: async () => hsm?.close(),
  buildApp: async (context) => {
    if (!hsm) throw new Error('HSM not opened');
    return buildApp({ logger: context.logger, identityPublicKey: context.identityPublicKey, healthChecks: context.healthChecks, hsm, signing: createSigningDeps(context.config, context.pool, hsm) });
  },
});
