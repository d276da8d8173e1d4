import { nationalHubProfile } from '../src/domain/edxml/model';
import type { HubAdapter, HubCredentials } from '../src/hub/hub-adapter';
import { workerContext } from '../src/worker';
import type { ServiceFixture } from '../../../test/support/service-fixture';

/** The worker's context of one agency talking to `hub` with `credentials`, without documents or signing. */
export function hubTestContext(
  fixture: ServiceFixture,
  agencyCode: string,
  hub: HubAdapter,
  credentials: HubCredentials,
  clock: () => Date = () => new Date(),
) {
  return workerContext(
    {
      identity: { userId: 'service:exchange', agencyCode, roles: ['service'] },
      clock,
      logger: fixture.logger,
      hubName: hub.name,
      hub,
      credentialsFor: (code) => (code === agencyCode ? credentials : undefined),
      topicPrefix: '',
      profile: nationalHubProfile,
      maxMessageBytes: 8 * 1024 * 1024,
      trust: [],
    },
    fixture.pool,
    `${hub.name}-test`,
  );
}
