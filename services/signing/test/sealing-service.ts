import type { AddressInfo } from 'node:net';
import type { ServiceApp } from '@vanthu/platform';
import { buildApp } from '../src/app';
import { createSigningDeps } from '../src/create-signing-deps';
import { HsmConnection, readPin } from '../src/hsm/hsm-connection';
import type { ServiceFixture } from '../../../test/support/service-fixture';
import { loadInfrastructure } from '../../../test/support/infrastructure';

export type SealingSigning = { app: ServiceApp; url: string; close: () => Promise<void> };

/**
 * The real signing service listening on a port, with the test HSM's agency seals (A and B) and the test PKI and TSA,
 * calling documents at `documentsUrl`: what service seals (POST /v1/service-seals) need, for the tests of the services
 * that ask for them.
 */
export async function startSealingSigning(options: {
  fixture: ServiceFixture;
  identityPublicKey: string;
  servicePublicKey: string;
  documentsUrl: string;
}): Promise<SealingSigning> {
  const infra = loadInfrastructure();
  const hsm = new HsmConnection({
    modulePath: infra.hsm.modulePath,
    tokenLabel: infra.hsm.tokenLabel,
    pin: readPin(infra.hsm.pinFile),
    poolSize: 1,
  });
  hsm.open();
  const config = {
    TRUST_CERTS_FILE: infra.pki.chainPem,
    HSM_SEALS: JSON.stringify(
      infra.hsm.seals.map((s) => ({ agencyCode: s.agencyCode, keyIdHex: s.keyIdHex, certPath: s.certPath })),
    ),
    DOCUMENTS_URL: options.documentsUrl,
    TSA_URLS: infra.tsaUrl,
    TSA_TIMEOUT_MS: 10_000,
    REVOCATION_TIMEOUT_MS: 5_000,
    SIGNATURE_HASH: 'sha256',
    APPEARANCE_FONT_PATH: '/usr/share/fonts/truetype/liberation2/LiberationSerif-Regular.ttf',
    APPEARANCE_ANCHORS: '{}',
    SIGNING_SESSION_TTL_SECONDS: 300,
    KAFKA_TOPIC_PREFIX: '',
  } as unknown as Parameters<typeof createSigningDeps>[0];
  const app = await buildApp({
    logger: options.fixture.logger,
    identityPublicKey: options.identityPublicKey,
    servicePublicKey: options.servicePublicKey,
    hsm,
    signing: createSigningDeps(config, options.fixture.pool, hsm),
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  let closed = false;
  return {
    app,
    url,
    close: async () => {
      if (closed) return;
      closed = true;
      await app.close();
      hsm.close();
    },
  };
}
