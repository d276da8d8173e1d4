import fs from 'node:fs';
import { topicPartitions } from '@vanthu/contracts';
import { ensureSystemPackages } from './system-packages';
import { ensurePostgres, ensureServiceDatabase, postgresHost, postgresPort } from './postgres';
import { ensureDevJwtKey, ensureTestPki } from './pki';
import type { TestPki } from './pki';
import { ensureSoftHsm, hsmEnv } from './softhsm';
import type { HsmSetup } from './softhsm';
import { isOcspUp, startOcsp, stopOcsp } from './ocsp';
import { isTsaUp, startTsa, stopTsa, tsaUrl } from './tsa';
import { defaultKafka, ensureKafkaLibs, ensureTopics, isKafkaUp, kafkaBrokers, startKafka, stopKafka } from './kafka';
import type { KafkaInstance } from './kafka';
import { ensureIdentityKeys, ensureRequestProofKeys, ensureServiceIdentityKeys } from './identity-keys';
import { ensureVeraPdf } from './verapdf';
import type { IdentityKeys } from './identity-keys';
import { dataDir, dataPath } from './paths';
import { stopProcess } from './processes';
import { databaseName, defaultPorts, serviceNames } from './services';
import type { ProcessName, ServiceName } from './services';

export type Infrastructure = {
  dataDir: string;
  postgres: { host: string; port: number };
  kafka: KafkaInstance & { brokers: string };
  pki: TestPki;
  hsm: HsmSetup;
  devJwt: { privateKeyPath: string; publicKeyPath: string; issuer: string };
  identityKeys: IdentityKeys;
  serviceIdentityKeys: IdentityKeys;
  tsaUrl: string;
  /** veraPDF jars: tests check with it that signed PDF/A files stay PDF/A. */
  veraPdfLibDir: string;
};

export const devIssuer = 'vanthu-dev';
export const infrastructureFile = (): string => dataPath('infrastructure.json');

const timed = async <T>(say: (line: string) => void, what: string, step: () => Promise<T>): Promise<T> => {
  const started = Date.now();
  const result = await step();
  say(`  ✓ ${what} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  return result;
};

/** Sets up and starts every component the services need, idempotently, from nothing. */
export async function bringUpInfrastructure(say: (line: string) => void): Promise<Infrastructure> {
  fs.mkdirSync(dataDir, { recursive: true });
  await timed(say, 'Debian packages', async () => {
    const installed = await ensureSystemPackages(say);
    if (installed.length > 0) say(`    installed ${installed.join(', ')}`);
  });
  await timed(say, `PostgreSQL at ${postgresHost}:${postgresPort}`, ensurePostgres);
  const pki = await timed(say, 'test PKI (root, intermediate, people, seals, TSA, OCSP)', ensureTestPki);
  const devJwt = await timed(say, 'development JWT key', ensureDevJwtKey);
  const identityKeys = ensureIdentityKeys();
  const serviceIdentityKeys = ensureServiceIdentityKeys();
  const hsm = await timed(say, 'SoftHSM2 token with organisation seal keys', () => ensureSoftHsm(pki));
  await timed(say, 'OCSP responder', async () => ((await isOcspUp(pki)) ? undefined : startOcsp(pki)));
  await timed(say, 'RFC 3161 time-stamping service', async () => ((await isTsaUp()) ? undefined : startTsa(pki)));
  const kafka = defaultKafka();
  await timed(say, 'Kafka 3.9.1 libraries from Maven Central', ensureKafkaLibs);
  await timed(say, `Kafka broker at 127.0.0.1:${kafka.port}`, async () =>
    (await isKafkaUp(kafka)) ? undefined : startKafka(kafka),
  );
  const veraPdfLibDir = await timed(say, 'veraPDF (PDF/A validator for tests) from Maven Central', ensureVeraPdf);
  await timed(say, 'Kafka topics', () =>
    ensureTopics(
      kafka,
      Object.entries(topicPartitions).map(([topic, numPartitions]) => ({ topic, numPartitions })),
    ),
  );
  const infrastructure: Infrastructure = {
    dataDir,
    postgres: { host: postgresHost, port: postgresPort },
    kafka: { ...kafka, brokers: kafkaBrokers(kafka).join(',') },
    pki,
    hsm,
    devJwt: { ...devJwt, issuer: devIssuer },
    identityKeys,
    serviceIdentityKeys,
    tsaUrl,
    veraPdfLibDir,
  };
  fs.writeFileSync(infrastructureFile(), JSON.stringify(infrastructure, null, 2));
  return infrastructure;
}

/** Stops the services and gateway of the default stack (if running) and then the infrastructure. */
export async function stopInfrastructure(): Promise<void> {
  for (const name of ['gateway', ...serviceNames, 'hub-sandbox']) await stopProcess(name, 10_000);
  // Replicas (`npm start -- --replicas N`) have pid files of their own: documents-2, …
  for (const name of serviceNames) for (let k = 2; k <= maxReplicas; k += 1) await stopProcess(`${name}-${k}`, 10_000);
  await stopKafka(defaultKafka());
  await stopTsa();
  await stopOcsp();
}

/** Replica k of a service listens 10·(k−1) above the first, so at most 9 fit below the next block of ports. */
export const maxReplicas = 9;

export type StackLayout = {
  /** Appended to database names and used as the Kafka topic prefix, so stacks can run side by side. */
  suffix: string;
  ports: Record<ProcessName, number>;
  blobDir: string;
  kafkaBrokers?: string;
  gatewayExtra?: Record<string, string>;
  /** The exchange service's hub settings (HUB_URL, HUB_CREDENTIALS_FILE, …). */
  exchangeExtra?: Record<string, string>;
  /** Ports of the second and further replicas of a service; where absent, the service's port + 10·(k−1). */
  replicaPorts?: Partial<Record<ServiceName, number[]>>;
};

/** The services that may run as several processes: their state is all in PostgreSQL, their timers are claimed rows. */
export const replicableServices = ['documents', 'signing', 'routing'] as const satisfies readonly ServiceName[];

export type StackInstance = { name: ProcessName; instance: string; port: number; env: Record<string, string> };

/**
 * The processes of a stack with `replicas` processes of each replicable service: replica k listens on the service's
 * port + 10·(k−1) (or the port `replicaPorts` gives it) and the gateway balances over all of them (its `*_URL` lists them). Services still call one another
 * at the first replica. One replica each gives exactly the processes of `stackEnvironments`.
 */
export function stackInstances(
  envs: Record<ProcessName, Record<string, string>>,
  layout: StackLayout,
  replicas = 1,
): StackInstance[] {
  const instances: StackInstance[] = [];
  const gateway = { ...envs.gateway };
  for (const name of serviceNames) {
    const count = (replicableServices as readonly string[]).includes(name) ? replicas : 1;
    const urls: string[] = [];
    for (let k = 1; k <= count; k += 1) {
      const port =
        k === 1 ? layout.ports[name] : (layout.replicaPorts?.[name]?.[k - 2] ?? layout.ports[name] + 10 * (k - 1));
      instances.push({
        name,
        instance: k === 1 ? name : `${name}-${k}`,
        port,
        env: { ...envs[name], PORT: String(port) },
      });
      urls.push(`http://127.0.0.1:${port}`);
    }
    gateway[`${name.toUpperCase()}_URL`] = urls.join(',');
  }
  instances.push({ name: 'gateway', instance: 'gateway', port: layout.ports.gateway, env: gateway });
  return instances;
}

export const defaultLayout = (): StackLayout => ({ suffix: '', ports: defaultPorts, blobDir: dataPath('blobs') });

/** Creates the service databases and returns the environment of every process of the stack. */
export async function stackEnvironments(
  infra: Infrastructure,
  layout: StackLayout,
): Promise<Record<ProcessName, Record<string, string>>> {
  const topicPrefix = layout.suffix ? `${layout.suffix.replace(/^_/, '')}.` : '';
  const common = {
    HOST: '127.0.0.1',
    KAFKA_BROKERS: layout.kafkaBrokers ?? infra.kafka.brokers,
    KAFKA_TOPIC_PREFIX: topicPrefix,
    IDENTITY_PUBLIC_KEY_FILE: infra.identityKeys.publicKeyPath,
    SERVICE_IDENTITY_PUBLIC_KEY_FILE: infra.serviceIdentityKeys.publicKeyPath,
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'info',
  };
  const urls = {} as Record<ServiceName, string>;
  for (const service of serviceNames) urls[service] = await ensureServiceDatabase(databaseName(service, layout.suffix));
  const proofKeys = ensureRequestProofKeys(serviceNames);
  const service = (name: ServiceName, extra: Record<string, string> = {}): Record<string, string> => ({
    ...common,
    PORT: String(layout.ports[name]),
    DATABASE_URL: urls[name],
    REQUEST_PROOF_KEYS_FILE: proofKeys.serviceKeyPaths[name] as string,
    ...extra,
  });
  return {
    documents: service('documents', { BLOB_DIR: layout.blobDir }),
    signing: service('signing', {
      ...hsmEnv(infra.hsm),
      HSM_SEALS: JSON.stringify(
        infra.hsm.seals.map((s) => ({ agencyCode: s.agencyCode, keyIdHex: s.keyIdHex, certPath: s.certPath })),
      ),
      DOCUMENTS_URL: `http://127.0.0.1:${layout.ports.documents}`,
      TSA_URLS: infra.tsaUrl,
      TRUST_CERTS_FILE: infra.pki.chainPem,
      SERVICE_IDENTITY_PRIVATE_KEY_FILE: infra.serviceIdentityKeys.privateKeyPath,
    }),
    routing: service('routing', {
      DOCUMENTS_URL: `http://127.0.0.1:${layout.ports.documents}`,
      // A consultation's summary of answers is sealed with the agency's organisation signature by signing (POST
      // /v1/service-seals, kind consultation-summary), asked with routing's own service identity.
      SIGNING_URL: `http://127.0.0.1:${layout.ports.signing}`,
      SERVICE_IDENTITY_PRIVATE_KEY_FILE: infra.serviceIdentityKeys.privateKeyPath,
      // The agencies whose seals this instance holds are the ones it hosts: documents issued to
      // them are delivered directly instead of through the hub.
      LOCAL_AGENCIES: [...new Set(infra.hsm.seals.map((s) => s.agencyCode))].join(','),
    }),
    reporting: service('reporting', {
      // Submitted monthly reports are sealed with the agency's organisation signature by signing (POST
      // /v1/service-seals), asked with reporting's own service identity.
      SIGNING_URL: `http://127.0.0.1:${layout.ports.signing}`,
      SERVICE_IDENTITY_PRIVATE_KEY_FILE: infra.serviceIdentityKeys.privateKeyPath,
    }),
    exchange: service('exchange', {
      DOCUMENTS_URL: `http://127.0.0.1:${layout.ports.documents}`,
      // edXML is signed with the agency seal in signing's HSM; received signatures chain to the test PKI.
      SIGNING_URL: `http://127.0.0.1:${layout.ports.signing}`,
      TRUST_CERTS_FILE: infra.pki.chainPem,
      SERVICE_IDENTITY_PRIVATE_KEY_FILE: infra.serviceIdentityKeys.privateKeyPath,
      // The exchange log head is time-stamped by the same TSA as the signatures.
      TSA_URLS: infra.tsaUrl,
      // Its messages as files, beside documents' blobs (a folder of their own, which documents never lists).
      MESSAGE_DIR: `${layout.blobDir}/exchange-messages`,
      ...layout.exchangeExtra,
    }),
    // Development: integrators' receivers on this machine may use plain http on a loopback address.
    notifications: service('notifications', { WEBHOOK_MODE: 'development' }),
    gateway: {
      HOST: '127.0.0.1',
      PORT: String(layout.ports.gateway),
      DOCUMENTS_URL: `http://127.0.0.1:${layout.ports.documents}`,
      SIGNING_URL: `http://127.0.0.1:${layout.ports.signing}`,
      ROUTING_URL: `http://127.0.0.1:${layout.ports.routing}`,
      REPORTING_URL: `http://127.0.0.1:${layout.ports.reporting}`,
      EXCHANGE_URL: `http://127.0.0.1:${layout.ports.exchange}`,
      NOTIFICATIONS_URL: `http://127.0.0.1:${layout.ports.notifications}`,
      // The sandbox trusts the development issuer; production lists its real issuers here.
      JWT_ISSUERS: JSON.stringify([{ issuer: infra.devJwt.issuer, publicKeyFile: infra.devJwt.publicKeyPath }]),
      IDENTITY_PRIVATE_KEY_FILE: infra.identityKeys.privateKeyPath,
      REQUEST_PROOF_MASTER_KEY_FILE: proofKeys.masterKeyPath,
      LOG_LEVEL: common.LOG_LEVEL,
      ...layout.gatewayExtra,
    },
  };
}
