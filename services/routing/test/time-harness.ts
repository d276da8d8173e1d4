import type { LightMyRequestResponse } from 'fastify';
import type { Identity, ServiceApp } from '@vanthu/platform';
import { buildApp } from '../src/app';
import { migrationsDir } from '../src/config';
import { serviceFixture } from '../../../test/support/service-fixture';
import type { ServiceFixture } from '../../../test/support/service-fixture';
import { agencyA, agencyB, createIdentityKit } from '../../../test/support/identities';

export type TimeHarness = {
  fixture: ServiceFixture;
  app: ServiceApp;
  /** The app's clock; tests set it instead of sleeping. */
  now: { value: Date };
  headersFor: (identity: Identity) => Record<string, string>;
  adminA: Record<string, string>;
  leaderA: Record<string, string>;
  specialistA: Record<string, string>;
  adminB: Record<string, string>;
  request: (
    method: 'GET' | 'POST' | 'PUT' | 'DELETE',
    url: string,
    headers: Record<string, string>,
    body?: unknown,
  ) => Promise<LightMyRequestResponse>;
  close: () => Promise<void>;
};

/** The routing app over a fresh database, with identities of two agencies, for the calendar, gating and delegation APIs. */
export async function startTimeHarness(label: string): Promise<TimeHarness> {
  const kit = createIdentityKit();
  const fixture = await serviceFixture(label, migrationsDir);
  const now = { value: new Date('2026-06-01T02:00:00Z') };
  const app = await buildApp({
    logger: fixture.logger,
    pool: fixture.pool,
    identityPublicKey: kit.publicKeyPem,
    clock: () => now.value,
  });
  const headersFor = (identity: Identity) => ({ 'x-vanthu-identity': kit.assertionFor(identity) });
  return {
    fixture,
    app,
    now,
    headersFor,
    adminA: headersFor({ userId: 'quan-tri', agencyCode: agencyA, roles: ['admin'] }),
    leaderA: headersFor({ userId: 'chu-tich', agencyCode: agencyA, roles: ['agency-leader'] }),
    specialistA: headersFor({ userId: 'chuyen-vien-1', agencyCode: agencyA, unitCode: 'kgvx', roles: ['specialist'] }),
    adminB: headersFor({ userId: 'quan-tri-b', agencyCode: agencyB, roles: ['admin'] }),
    request: (method, url, headers, body) =>
      app.inject({ method, url, headers, ...(body === undefined ? {} : { payload: body as object }) }),
    close: async () => {
      await app.close();
      await fixture.close();
    },
  };
}
