import type { ServiceFixture } from '../../../test/support/service-fixture';
import { createIdentityKit } from '../../../test/support/identities';
import { startReporting } from './reporting-harness';
import type { ReportingHarness } from './reporting-harness';
import { documentCreated, projectEvents } from './projected-events';

// The month-start job judges each agency by its own submission, not by the run: a run that found nobody to submit
// (an empty database on the due day) must still submit an agency the projections first see later in the month.

const agency = '000.00.05.H57';
let now = new Date('2026-12-01T01:00:00Z'); // 08:00 on Tuesday 1 December in Hà Nội: the first working day
let fixture: ServiceFixture;
let harness: ReportingHarness;

const tick = () => harness.worker().runOnce();

const run = async () =>
  (
    await fixture.pool.query<{ completed_at: Date | null; submitted: number }>(
      `SELECT completed_at, submitted FROM submission_runs WHERE month = '2026-11'`,
    )
  ).rows[0];
const scheduled = async () =>
  (
    await fixture.pool.query<{ agency_code: string; month: string; trigger: string }>(
      'SELECT agency_code, month, trigger FROM report_submissions ORDER BY 1, 2',
    )
  ).rows;

beforeAll(async () => {
  harness = await startReporting('reporting-submission-run', { kit: createIdentityKit(), clock: () => now });
  fixture = harness.fixture;
});
afterAll(async () => {
  await harness?.close();
});

it('submits an agency that first appears after a run on an empty database found nobody to submit', async () => {
  await tick();
  const empty = await run();
  expect(empty).toEqual({ completed_at: expect.any(Date), submitted: 0 });
  expect(await scheduled()).toEqual([]);

  // The agency's first document arrives on 9 December; the job's next tick, the day after, submits its November.
  await projectEvents(fixture.pool, [documentCreated(agency, '2026-12-09T03:00:00Z', { subject: 'Công văn' })]);
  now = new Date('2026-12-10T02:00:00Z');
  await tick();
  expect(await scheduled()).toEqual([{ agency_code: agency, month: '2026-11', trigger: 'scheduled' }]);
  const after = await run();
  expect(after?.submitted).toBe(1);
  expect(after?.completed_at?.getTime()).toBe(now.getTime());

  // Once submitted, further ticks leave it alone.
  now = new Date('2026-12-11T02:00:00Z');
  await tick();
  expect(await scheduled()).toHaveLength(1);
});
