import type { Pool, ServiceApp } from '@vanthu/platform';
import type { ServiceFixture } from '../../../test/support/service-fixture';
import { createIdentityKit } from '../../../test/support/identities';
import { defaultAnchors } from '../src/appearance/place-appearance';
import { buildApp } from '../src/app';
import { DocumentsClient } from '../src/clients/documents-client';
import type { SigningDeps } from '../src/signatures/signing-deps';
import { HsmConnection, readPin } from '../src/hsm/hsm-connection';
import { certPool, fontPath, infra, padesSettings } from './support';
import { isSelfIssued } from '../src/x509/certificate';

/** Signing's dependencies for http tests: the real HSM, the test PKI and TSA; documents unreachable by default. */
export function testSigningDeps(pool: Pool, hsm: HsmConnection, documentsUrl = 'http://127.0.0.1:9'): SigningDeps {
  return {
    pool,
    documents: new DocumentsClient(documentsUrl),
    hsm,
    seals: new Map(),
    pades: padesSettings(),
    trustRoots: certPool().filter(isSelfIssued),
    hash: 'sha256',
    fontPath,
    anchors: () => defaultAnchors,
    sessionTtlSeconds: 300,
    topicPrefix: '',
    source: '/vanthu/signing',
  };
}

export type SigningTestApp = {
  app: ServiceApp;
  hsm: HsmConnection;
  signing: SigningDeps;
  kit: ReturnType<typeof createIdentityKit>;
  close: () => Promise<void>;
};

/**
 * The signing app over a test database (its fixture), with a one-session HSM pool and its own identity kit;
 * `overrides` replace some of its dependencies (a smaller limit, another documents).
 */
export async function signingTestApp(
  fx: ServiceFixture,
  overrides: Partial<SigningDeps> = {},
): Promise<SigningTestApp> {
  const kit = createIdentityKit();
  const hsm = new HsmConnection({
    modulePath: infra.hsm.modulePath,
    tokenLabel: infra.hsm.tokenLabel,
    pin: readPin(infra.hsm.pinFile),
    poolSize: 1,
  });
  hsm.open();
  const signing = { ...testSigningDeps(fx.pool, hsm), ...overrides };
  const app = await buildApp({ logger: fx.logger, identityPublicKey: kit.publicKeyPem, hsm, signing });
  return {
    app,
    hsm,
    signing,
    kit,
    close: async () => {
      await app.close();
      hsm.close();
    },
  };
}
