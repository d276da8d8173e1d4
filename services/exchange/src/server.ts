import fs from 'node:fs';
import { runService, systemClock } from '@vanthu/platform';
import { buildApp } from './app';
import { exchangeConfigSchema, migrationsDir } from './config';
import type { ExchangeConfig } from './config';
import { DocumentsClient } from './clients/documents-client';
import { SigningClient } from './clients/signing-client';
import { pemToDers } from '@vanthu/xmldsig';
import { TsaClient } from './clients/tsa-client';
import { nationalHubProfile } from './domain/edxml/model';
import { exchangeConsumer } from './events/consumers';
import type { HubCredentials } from './hub/hub-adapter';
import { BkavAdapter } from './hub/bkav-adapter';
import { LgspAdapter } from './hub/lgsp-adapter';
import type { LgspLogin } from './hub/lgsp-adapter';
import { VxpAdapter } from './hub/vxp-adapter';
import { BlobStore } from '@vanthu/platform';
import { ExchangeWorker } from './worker';
import type { WorkerContext } from './worker';

let worker: ExchangeWorker | undefined;

function readCredentials(config: ExchangeConfig): HubCredentials[] {
  if (!config.HUB_CREDENTIALS_FILE) return [];
  return JSON.parse(fs.readFileSync(config.HUB_CREDENTIALS_FILE, 'utf8')) as HubCredentials[];
}

function readTrust(config: ExchangeConfig): Buffer[] {
  return config.TRUST_CERTS_FILE ? pemToDers(fs.readFileSync(config.TRUST_CERTS_FILE, 'utf8')) : [];
}

const contexts = new WeakMap<object, WorkerContext>();
function baseContext(
  context: Parameters<NonNullable<Parameters<typeof runService>[0]['consumers']>>[0],
): WorkerContext {
  const existing = contexts.get(context);
  if (existing) return existing;
  const config = context.config as unknown as ExchangeConfig;
  const credentials = readCredentials(config);
  const base: WorkerContext = {
    identity: {
      userId: 'service:exchange',
      agencyCode: credentials[0]?.agencyCode ?? '000.00.00.A00',
      roles: ['service'],
    },
    clock: systemClock,
    logger: context.logger,
    hubName: config.HUB_NAME,
    ...(config.HUB_URL
      ? {
          hub:
            config.HUB_PROTOCOL === 'bkav'
              ? new BkavAdapter(config.HUB_URL, {
                  name: config.HUB_NAME,
                  timeoutMs: config.HUB_TIMEOUT_MS,
                  ...(config.HUB_BKAV_DIRECTORY_DOMAIN ? { directoryDomain: config.HUB_BKAV_DIRECTORY_DOMAIN } : {}),
                })
              : config.HUB_PROTOCOL === 'lgsp'
                ? new LgspAdapter(config.HUB_URL, {
                    name: config.HUB_NAME,
                    timeoutMs: config.HUB_TIMEOUT_MS,
                    ...(config.HUB_LGSP_LOGIN_FILE
                      ? { login: JSON.parse(fs.readFileSync(config.HUB_LGSP_LOGIN_FILE, 'utf8')) as LgspLogin }
                      : {}),
                  })
                : new VxpAdapter(config.HUB_URL, { name: config.HUB_NAME, timeoutMs: config.HUB_TIMEOUT_MS }),
        }
      : {}),
    credentialsFor: (agencyCode) => credentials.find((c) => c.agencyCode === agencyCode),
    documents: new DocumentsClient(config.DOCUMENTS_URL),
    ...(config.SIGNING_URL ? { signing: new SigningClient(config.SIGNING_URL) } : {}),
    trust: readTrust(config),
    requireSigned: config.REQUIRE_SIGNED_MESSAGES,
    ...(context.serviceIdentity ? { serviceIdentity: context.serviceIdentity } : {}),
    topicPrefix: config.KAFKA_TOPIC_PREFIX,
    profile: nationalHubProfile,
    maxMessageBytes: config.MAX_MESSAGE_BYTES,
    messages: new BlobStore(config.MESSAGE_DIR),
  };
  contexts.set(context, base);
  return base;
}

void runService({
  name: 'exchange',
  configSchema: exchangeConfigSchema,
  migrationsDir,
  topics: ['vanthu.exchange', 'vanthu.routing', 'vanthu.documents'],
  consumers: (context) => [exchangeConsumer(context.config.CONSUMER_GROUP, baseContext(context))],
  beforeListen: async (context) => {
    const base = baseContext(context);
    worker = new ExchangeWorker(
      base,
      context.pool,
      context.logger,
      readCredentials(context.config).map((c) => c.agencyCode),
      {
        jobsMs: context.config.WORKER_INTERVAL_MS,
        receiveMs: context.config.RECEIVE_INTERVAL_MS,
        anchorMs: context.config.LOG_ANCHOR_INTERVAL_MS,
        sweepMs: context.config.MESSAGE_SWEEP_INTERVAL_MS,
        sweepGraceMs: context.config.MESSAGE_SWEEP_GRACE_MS,
      },
      new TsaClient(
        context.config.TSA_URLS.split(',')
          .map((url) => url.trim())
          .filter(Boolean),
      ),
    );
    worker.start();
  },
  onClose: async () => worker?.stop(),
  buildApp: async (context) =>
    buildApp({
      logger: context.logger,
      pool: context.pool,
      identityPublicKey: context.identityPublicKey,
      ...(context.servicePublicKey ? { servicePublicKey: context.servicePublicKey } : {}),
      healthChecks: context.healthChecks,
      maxMessageBytes: context.config.MAX_MESSAGE_BYTES,
      documents: new DocumentsClient(context.config.DOCUMENTS_URL),
      ...(context.config.SIGNING_URL ? { signing: new SigningClient(context.config.SIGNING_URL) } : {}),
      trust: readTrust(context.config),
      topicPrefix: context.config.KAFKA_TOPIC_PREFIX,
      messages: new BlobStore(context.config.MESSAGE_DIR),
    }),
});
