import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startTestStack } from '../support/test-stack';
import type { TestStack } from '../support/test-stack';
import { gatewayClient, json } from '../support/gateway-client';
import { makePdf } from '../support/pdfs';
import { currentVietnamMonth, eventually } from '../support/wait';
import { agencyA, agencyB } from '../support/identities';
import { pdfsig } from '../../services/signing/test/support';

// Issue 14, item 7, through the running stack as an integrator calls it: an agency's clerk sends last month's report;
// reporting has signing seal it with the agency's organisation key (its own service identity, signing's HSM), and
// the collector (Sở KH&CN) sees who has and has not submitted and reads the sealed PDF.
let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack('report-seal');
});
afterAll(async () => {
  await stack?.stop();
});

const previousMonth = (month: string): string => {
  const [year, m] = month.split('-').map(Number) as [number, number];
  const index = year * 12 + m - 2;
  return `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, '0')}`;
};

type Overview = {
  submitted: number;
  notSubmitted: number;
  agencies: {
    agencyCode: string;
    submitted: boolean;
    latest: { trigger: string; pdf: string; seal: { certificateSubject: string } | null } | null;
  }[];
};

it('seals the submitted monthly report with the agency’s organisation signature and shows the collector who has sent it', async () => {
  const clerkA = gatewayClient(
    stack.gatewayUrl,
    await stack.token({ user: 'van-thu-a', agency: agencyA, roles: ['clerk'] }),
  );
  const clerkB = gatewayClient(
    stack.gatewayUrl,
    await stack.token({ user: 'van-thu-b', agency: agencyB, roles: ['clerk'] }),
  );
  const collector = gatewayClient(
    stack.gatewayUrl,
    await stack.token({ user: 'so-khcn', agency: '000.00.00.H57', roles: ['report-collector'] }),
  );
  // Both agencies become known to reporting through their documents' events.
  for (const [client, name] of [
    [clerkA, 'a'],
    [clerkB, 'b'],
  ] as const)
    expect(
      (
        await client.uploadDocument(await makePdf(`e2e-report-seal-${name}`), {
          direction: 'outgoing',
          subject: 'Báo cáo',
        })
      ).status,
    ).toBe(201);
  const month = previousMonth(currentVietnamMonth());
  await eventually(
    async () => (await collector.get(`/v1/reports/submissions?month=${month}`)).body as Overview,
    (overview) => [agencyA, agencyB].every((code) => overview.agencies.some((a) => a.agencyCode === code)),
    30_000,
    'reporting to know both agencies',
  );

  const sent = await clerkA.call('POST', '/v1/reports/submissions', json({ month }));
  expect(sent.status).toBe(201);
  const submission = sent.body as { revision: number; seal: { level: string; certificateSubject: string } | null };
  expect(submission.seal).toMatchObject({ level: 'B-LT', certificateSubject: expect.stringContaining(agencyA) });

  const overview = (await collector.get(`/v1/reports/submissions?month=${month}`)).body as Overview;
  const a = overview.agencies.find((x) => x.agencyCode === agencyA);
  const b = overview.agencies.find((x) => x.agencyCode === agencyB);
  expect(a).toMatchObject({ submitted: true, latest: { trigger: 'agency' } });
  expect(b).toBeDefined();
  expect(overview.submitted + overview.notSubmitted).toBe(overview.agencies.length);
  // The month-start job ran when the stack started, before either agency was known; if it reached B, its report is
  // sealed with B's own key like A's.
  if (b?.submitted) expect(b.latest?.seal?.certificateSubject).toContain(agencyB);

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vanthu-report-seal-'));
  try {
    const pdf = await collector.get(a?.latest?.pdf as string);
    expect(pdf.status).toBe(200);
    const file = path.join(dir, 'report.pdf');
    fs.writeFileSync(file, pdf.raw);
    const signatures = pdfsig(file);
    expect(signatures).toHaveLength(1);
    expect(signatures[0]?.valid).toBe(true);
    // Another agency cannot read A's submission.
    expect((await clerkB.get(a?.latest?.pdf as string)).status).toBe(404);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}, 180_000);
