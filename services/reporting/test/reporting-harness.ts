import type { Identity } from '@vanthu/platform';
import { buildApp } from '../src/app';
import { defaultReportFonts, migrationsDir } from '../src/config';
import type { ReportSealer } from '../src/adapters/report-sealer';
import { SubmissionWorker } from '../src/submission-worker';
import { serviceFixture } from '../../../test/support/service-fixture';
import type { IdentityKit } from '../../../test/support/identities';

// The set-up the report and submission tests share: reporting's app on a fresh database migrated from nothing, the
// month-start job as the service runs it, both on the test's clock, and requests as a given caller.

export async function startReporting(
  name: string,
  options: { kit: IdentityKit; clock: () => Date; sealer?: ReportSealer },
) {
  const fixture = await serviceFixture(name, migrationsDir);
  const sealer = options.sealer ? { sealer: options.sealer } : {};
  const app = await buildApp({
    logger: fixture.logger,
    pool: fixture.pool,
    identityPublicKey: options.kit.publicKeyPem,
    consumer: 'reporting',
    clock: options.clock,
    ...sealer,
  });
  return {
    fixture,
    app,
    /** The month-start submission job (one run per `runOnce`). */
    worker: () =>
      new SubmissionWorker({
        pool: fixture.pool,
        logger: fixture.logger,
        consumer: 'reporting',
        fonts: defaultReportFonts,
        topicPrefix: '',
        intervalMs: 60_000,
        clock: options.clock,
        ...sealer,
      }),
    /** A request to the app as `identity` (with an Idempotency-Key when `key` is given). */
    call: (method: 'GET' | 'POST', url: string, identity: Identity, body?: unknown, key?: string) =>
      app.inject({
        method,
        url,
        headers: {
          'x-vanthu-identity': options.kit.assertionFor(identity),
          ...(key ? { 'idempotency-key': key } : {}),
        },
        ...(body === undefined ? {} : { payload: body as object }),
      }),
    close: async () => {
      await app.close();
      await fixture.close();
    },
  };
}

export type ReportingHarness = Awaited<ReturnType<typeof startReporting>>;

/** The Sở KH&CN's report collector, who sees the province. */
export const reportCollector = (agencyCode: string): Identity => ({
  userId: 'so-khcn',
  agencyCode,
  roles: ['report-collector'],
});
