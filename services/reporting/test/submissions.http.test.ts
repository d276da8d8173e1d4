import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Identity } from '@vanthu/platform';
import type { ServiceFixture } from '../../../test/support/service-fixture';
import { reportCollector, startReporting } from './reporting-harness';
import type { ReportingHarness } from './reporting-harness';
import { documentCreated, projectEvents } from './projected-events';
import { createIdentityKit } from '../../../test/support/identities';

const kit = createIdentityKit();
const agencyA = '000.00.01.H57';
const agencyB = '000.00.02.H57';
const agencyC = '000.00.03.H57';
const clerk = (agencyCode: string): Identity => ({ userId: `van-thu-${agencyCode}`, agencyCode, roles: ['clerk'] });
const collector = reportCollector('000.00.00.H57');
let now = new Date('2026-12-01T01:00:00Z'); // 08:00 on Tuesday 1 December in Hà Nội: the first working day
let fixture: ServiceFixture;
let harness: ReportingHarness;

const worker = () => harness.worker();

beforeAll(async () => {
  harness = await startReporting('reporting-submissions', { kit, clock: () => now });
  fixture = harness.fixture;
  // November: A creates 3 outgoing documents, B 1, C 2.
  for (const [agency, count] of [
    [agencyA, 3],
    [agencyB, 1],
    [agencyC, 2],
  ] as const)
    for (let i = 0; i < count; i += 1)
      await projectEvents(fixture.pool, [documentCreated(agency, `2026-11-1${i}T03:00:00Z`)]);
});
afterAll(async () => {
  await harness?.close();
});

const call = (...request: Parameters<ReportingHarness['call']>) => harness.call(...request);

const submissionRows = async (month: string) =>
  (
    await fixture.pool.query<{ agency_code: string; revision: number; trigger: string; sha256: string; pdf: Buffer }>(
      'SELECT agency_code, revision, trigger, sha256, pdf FROM report_submissions WHERE month = $1 ORDER BY 1, 2',
      [month],
    )
  ).rows;

describe('monthly submission (báo cáo hằng tháng)', () => {
  it('lists every agency as not submitted before anyone submits, with the due day', async () => {
    const response = await call('GET', '/v1/reports/submissions?month=2026-11', collector);
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({
      month: '2026-11',
      dueOn: '2026-12-01',
      run: null,
      submitted: 0,
      notSubmitted: 3,
      agencies: [agencyA, agencyB, agencyC].map((agencyCode) => ({ agencyCode, submitted: false, latest: null })),
    });
  });

  it('stores an agency’s submission with its PDF and report.submitted; a repeated key replays, a new POST re-submits', async () => {
    const first = await call('POST', '/v1/reports/submissions', clerk(agencyA), { month: '2026-11' }, 'nov-report-a1');
    expect(first.statusCode).toBe(201);
    const body = first.json();
    expect(body).toMatchObject({ agencyCode: agencyA, month: '2026-11', revision: 1, trigger: 'agency' });
    expect(body.submittedBy).toBe(`van-thu-${agencyA}`);
    expect(body.report.documents.outgoing).toBe(3);
    // Without a sealer (no SIGNING_URL) the report is stored unsealed, and says so.
    expect(body.seal).toBeNull();
    // The stored PDF is the one described, and its text carries the agency's figures.
    const [row] = await submissionRows('2026-11');
    expect(row?.sha256).toBe(
      createHash('sha256')
        .update(row?.pdf ?? Buffer.alloc(0))
        .digest('hex'),
    );
    expect(body.sha256).toBe(row?.sha256);
    expect(body.sizeBytes).toBe(row?.pdf.length);
    const pdfFile = path.join(fixture.tempDir, 'a.pdf');
    fs.writeFileSync(pdfFile, row?.pdf ?? Buffer.alloc(0));
    const text = execFileSync('pdftotext', ['-layout', pdfFile, '-']).toString('utf8');
    expect(text).toContain(agencyA);
    expect(text).toContain('11/2026');

    const outbox = await fixture.pool.query<{ event_type: string; message_key: string; data: Record<string, unknown> }>(
      `SELECT event_type, message_key, data FROM outbox WHERE event_type = 'vn.vanthu.report.submitted.v1'`,
    );
    expect(outbox.rows).toEqual([
      {
        event_type: 'vn.vanthu.report.submitted.v1',
        message_key: `${agencyA}/2026-11`,
        data: expect.objectContaining({ agencyCode: agencyA, revision: 1, trigger: 'agency', sha256: row?.sha256 }),
      },
    ]);

    const replay = await call('POST', '/v1/reports/submissions', clerk(agencyA), { month: '2026-11' }, 'nov-report-a1');
    expect(replay.statusCode).toBe(201);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.json().revision).toBe(1);
    const again = await call('POST', '/v1/reports/submissions', clerk(agencyA), { month: '2026-11' });
    expect(again.statusCode).toBe(201);
    expect(again.json().revision).toBe(2);
    expect((await submissionRows('2026-11')).map((r) => r.revision)).toEqual([1, 2]);
  });

  it('refuses a month not ended, a malformed month and a caller who may not submit', async () => {
    for (const month of ['2026-12', '2027-01', '2026-13', 'nov']) {
      const response = await call('POST', '/v1/reports/submissions', clerk(agencyA), { month });
      expect(response.statusCode).toBe(400);
    }
    const specialist: Identity = { userId: 'cv', agencyCode: agencyA, roles: ['specialist'] };
    expect((await call('POST', '/v1/reports/submissions', specialist, { month: '2026-11' })).statusCode).toBe(403);
    expect((await call('POST', '/v1/reports/submissions', collector, { month: '2026-11' })).statusCode).toBe(403);
    expect((await call('GET', '/v1/reports/submissions?month=2027-01', collector)).statusCode).toBe(400);
  });

  it('submits once for every agency that has not, across two replicas, resuming after a replica dies mid-run', async () => {
    // The run opened on the due day; a replica holds its row mid-agency and dies before committing.
    await fixture.pool.query(
      `INSERT INTO submission_runs (month, due_on, started_at) VALUES ('2026-11', '2026-12-01', now())`,
    );
    const dying = await fixture.pool.connect();
    await dying.query('BEGIN');
    await dying.query(`SELECT 1 FROM submission_runs WHERE month = '2026-11' FOR UPDATE`);
    // Another replica's tick finds the run held and leaves it alone (SKIP LOCKED), without waiting.
    await worker().runOnce();
    expect((await submissionRows('2026-11')).filter((r) => r.trigger === 'scheduled')).toEqual([]);
    await dying.query('ROLLBACK');
    dying.release();
    // Two replicas at once, then a third tick: B and C once each, A keeps its own submissions.
    await Promise.all([worker().runOnce(), worker().runOnce()]);
    await worker().runOnce();
    const rows = await submissionRows('2026-11');
    expect(rows.map((r) => [r.agency_code, r.revision, r.trigger])).toEqual([
      [agencyA, 1, 'agency'],
      [agencyA, 2, 'agency'],
      [agencyB, 1, 'scheduled'],
      [agencyC, 1, 'scheduled'],
    ]);
    const run = await fixture.pool.query('SELECT submitted, completed_at FROM submission_runs');
    expect(run.rows).toEqual([{ submitted: 2, completed_at: expect.any(Date) }]);
    const events = await fixture.pool.query(
      `SELECT data->>'agencyCode' AS agency, data->>'trigger' AS trigger FROM outbox
        WHERE event_type = 'vn.vanthu.report.submitted.v1' AND data->>'trigger' = 'scheduled' ORDER BY 1`,
    );
    expect(events.rows).toEqual([
      { agency: agencyB, trigger: 'scheduled' },
      { agency: agencyC, trigger: 'scheduled' },
    ]);

    const overview = (await call('GET', '/v1/reports/submissions?month=2026-11', collector)).json();
    expect(overview).toMatchObject({ submitted: 3, notSubmitted: 0, run: { completedAt: expect.any(String) } });
    expect(
      overview.agencies.map((a: { agencyCode: string; revisions: number }) => [a.agencyCode, a.revisions]),
    ).toEqual([
      [agencyA, 2],
      [agencyB, 1],
      [agencyC, 1],
    ]);
  });

  it('waits for the first working day: 1 January 2027 is a holiday and 2–3 January a weekend', async () => {
    await projectEvents(fixture.pool, [documentCreated(agencyB, '2026-12-10T03:00:00Z')]);
    now = new Date('2027-01-03T10:00:00Z'); // Sunday 3 January, 17:00 in Hà Nội
    await worker().runOnce();
    expect(await submissionRows('2026-12')).toEqual([]);
    expect((await call('GET', '/v1/reports/submissions?month=2026-12', collector)).json().dueOn).toBe('2027-01-04');
    now = new Date('2027-01-03T17:00:00Z'); // 00:00 on Monday 4 January
    await worker().runOnce();
    expect((await submissionRows('2026-12')).map((r) => r.agency_code)).toEqual([agencyA, agencyB, agencyC]);
  });

  it('shows an agency its own submissions only, and the PDF exactly as stored', async () => {
    const own = (await call('GET', '/v1/reports/submissions?month=2026-11', clerk(agencyB))).json();
    expect(own.agencies).toEqual([expect.objectContaining({ agencyCode: agencyB, submitted: true, revisions: 1 })]);
    const [, second] = await submissionRows('2026-11');
    const pdf = await call('GET', `/v1/reports/submissions/${agencyA}/2026-11/pdf`, collector);
    expect(pdf.statusCode).toBe(200);
    expect(pdf.headers['content-type']).toBe('application/pdf');
    expect(pdf.headers['x-report-revision']).toBe('2');
    expect(pdf.rawPayload.equals(second?.pdf ?? Buffer.alloc(0))).toBe(true);
    const first = await call('GET', `/v1/reports/submissions/${agencyA}/2026-11/pdf?revision=1`, clerk(agencyA));
    expect(first.statusCode).toBe(200);
    expect(first.headers['x-report-revision']).toBe('1');
    expect((await call('GET', `/v1/reports/submissions/${agencyA}/2026-11/pdf`, clerk(agencyB))).statusCode).toBe(404);
    expect((await call('GET', `/v1/reports/submissions/${agencyA}/2026-10/pdf`, collector)).statusCode).toBe(404);
    expect((await call('GET', `/v1/reports/submissions/${agencyA}/2026-11/pdf?revision=9`, collector)).statusCode).toBe(
      404,
    );
    expect((await call('GET', `/v1/reports/submissions/${agencyA}/11-2026/pdf`, collector)).statusCode).toBe(400);
  });
});
