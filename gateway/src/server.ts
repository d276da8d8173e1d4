import fs from 'node:fs';
import { ConfigError, collectProcessMetrics, createLogger, flushTraces, loadConfig } from '@vanthu/platform';
import { buildGateway } from './app';
import { gatewayConfigSchema, parseIssuers } from './config';

async function main(): Promise<void> {
  let config;
  let issuers;
  let identityPrivateKey;
  let requestProofMaster: Buffer | undefined;
  try {
    config = loadConfig('gateway', gatewayConfigSchema);
    issuers = parseIssuers(config.JWT_ISSUERS);
    identityPrivateKey = fs.readFileSync(config.IDENTITY_PRIVATE_KEY_FILE, 'utf8');
    if (config.REQUEST_PROOF_MASTER_KEY_FILE)
      requestProofMaster = Buffer.from(fs.readFileSync(config.REQUEST_PROOF_MASTER_KEY_FILE, 'utf8').trim(), 'hex');
    else if (process.env.NODE_ENV === 'production')
      throw new Error('REQUEST_PROOF_MASTER_KEY_FILE is required in production: services refuse unproved requests');
  } catch (error) {
    process.stderr.write(
      `${error instanceof ConfigError ? error.message : `gateway: invalid configuration, refusing to start: ${(error as Error).message}`}\n`,
    );
    process.exit(2);
  }
  const logger = createLogger('gateway', config.LOG_LEVEL);
  collectProcessMetrics();
  const app = await buildGateway({
    config,
    logger,
    issuers,
    identityPrivateKey,
    ...(requestProofMaster ? { requestProofMaster } : {}),
  });
  await app.listen({ host: config.HOST, port: config.PORT });
  const stop = async (): Promise<void> => {
    await app.close();
    await flushTraces().catch(() => undefined);
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop());
  process.once('SIGINT', () => void stop());
}

void main().catch((error: unknown) => {
  process.stderr.write(`gateway: start-up failed: ${(error as Error).message}\n`);
  process.exit(1);
});
