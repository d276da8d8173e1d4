import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startTestStack } from '../support/test-stack';
import type { TestStack } from '../support/test-stack';
import { gatewayClient } from '../support/gateway-client';
import { makePdf } from '../support/pdfs';
import { eventually } from '../support/wait';
import { agencyA } from '../support/identities';
import { writeSystemdUnits } from '../../infra/src/systemd-units';
import { serviceNames } from '../../infra/src/services';

// issue 16 "Faults": one crash must not take the system down. The stack runs under the same supervisor as
// `npm start`; a service killed with SIGKILL is restarted with backoff while the gateway answers 503 +
// Retry-After for its paths only, and a service that keeps crashing is reported and left down.
const policy = {
  firstDelayMs: 3_000,
  maxDelayMs: 3_000,
  crashBudget: 2,
  crashWindowMs: 600_000,
  healthTimeoutMs: 60_000,
};
let stack: TestStack;

beforeAll(async () => {
  stack = await startTestStack('supervisor', { restartPolicy: policy });
});
afterAll(async () => {
  await stack?.stop();
});

function killDocuments(): void {
  const pid = stack.supervisor?.pid('documents');
  if (pid === undefined) throw new Error('documents has no pid');
  process.kill(pid, 'SIGKILL');
}

it('restarts a killed service while the others keep serving, and gives up on a crash loop', async () => {
  const clerk = gatewayClient(
    stack.gatewayUrl,
    await stack.token({ user: 'van-thu', agency: agencyA, roles: ['clerk'], ttlSeconds: 3600 }),
  );
  const uploaded = await clerk.uploadDocument(await makePdf('supervised'), {
    direction: 'outgoing',
    subject: 'Văn bản trước sự cố',
  });
  expect(uploaded.status).toBe(201);
  const id = (uploaded.body as { id: string }).id;

  killDocuments();
  // While documents is down (the restart waits 3 s), its paths answer 503 with Retry-After and problem+json…
  const down = await eventually(
    () => clerk.get(`/v1/documents/${id}`),
    (r) => r.status === 503,
    10_000,
    'documents paths to answer 503',
  );
  expect(down.headers.get('retry-after')).toMatch(/^\d+$/);
  expect(down.headers.get('content-type')).toContain('application/problem+json');
  // …and another service's paths still answer.
  expect((await clerk.get('/v1/calendars/2026')).status).toBe(200);
  expect(stack.supervisor?.state('documents')).toBe('restarting');

  // Back after the backoff, with what was acknowledged before the crash.
  const back = await eventually(
    () => clerk.get(`/v1/documents/${id}`),
    (r) => r.status === 200,
    90_000,
    'documents to come back',
  );
  expect((back.body as { subject: string }).subject).toBe('Văn bản trước sự cố');
  expect(stack.supervisor?.restarts('documents')).toBe(1);
  expect(
    stack.supervisorLines.some((l) => /documents exited unexpectedly \(signal SIGKILL\); restarting/.test(l)),
  ).toBe(true);

  // Second crash: still within the budget of 2, restarted again.
  killDocuments();
  await eventually(
    () => Promise.resolve(stack.supervisor?.state('documents')),
    (s) => s === 'running' && stack.supervisor?.restarts('documents') === 2,
    90_000,
    'the second restart',
  );

  // Third crash within the window exceeds the budget: reported, not restarted; everything else keeps serving.
  killDocuments();
  await eventually(
    () => Promise.resolve(stack.supervisor?.state('documents')),
    (s) => s === 'crash-looping',
    10_000,
    'documents to be reported as crash-looping',
  );
  expect(stack.supervisorLines.some((l) => /documents exited .*3 times .*crash-looping/.test(l))).toBe(true);
  await new Promise((resolve) => setTimeout(resolve, policy.firstDelayMs + 1_000));
  expect(stack.supervisor?.restarts('documents')).toBe(2);
  expect((await clerk.get(`/v1/documents/${id}`)).status).toBe(503);
  expect((await clerk.get('/v1/calendars/2026')).status).toBe(200);
  // Signing still answers, and says plainly that it cannot check the document with documents down.
  const signatures = await clerk.get(`/v1/documents/${id}/signatures`);
  expect(signatures.status).toBe(503);
  expect(signatures.headers.get('retry-after')).toMatch(/^\d+$/);
  for (const name of serviceNames.filter((n) => n !== 'documents'))
    expect(stack.supervisor?.state(name)).toBe('running');
});

it('generates systemd units from the same process table that systemd-analyze accepts', () => {
  const outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vanthu-units-'));
  try {
    const written = writeSystemdUnits({ envs: stack.envs, outDir, policy });
    const units = written.filter((f) => f.endsWith('.service') || f.endsWith('.target'));
    expect(units.map((f) => path.basename(f)).sort()).toEqual(
      [...serviceNames.map((n) => `vanthu-${n}.service`), 'vanthu-gateway.service', 'vanthu.target'].sort(),
    );
    const verify = spawnSync('systemd-analyze', ['verify', '--man=no', ...units], { encoding: 'utf8' });
    // Only dependencies that this machine lacks (postgresql.service) may be mentioned; no unit may be rejected.
    const complaints = verify.stderr
      .split('\n')
      .filter((line) => line.trim() !== '' && !/postgresql\.service|network-online\.target/.test(line));
    expect(complaints).toEqual([]);
    expect(verify.status).toBe(0);
    const documentsUnit = fs.readFileSync(path.join(outDir, 'vanthu-documents.service'), 'utf8');
    expect(documentsUnit).toContain('Restart=on-failure');
    expect(documentsUnit).toContain(`StartLimitBurst=${policy.crashBudget}`);
    const envFile = path.join(outDir, 'documents.env');
    expect(fs.statSync(envFile).mode & 0o777).toBe(0o600);
    // The environment file reads back as the process's environment (systemd and POSIX shells agree on this quoting
    // for the values we write: double quotes, backslash-escaped quotes and backslashes, no newlines).
    const read = execFileSync(
      'sh',
      ['-c', `set -a; . "${envFile}"; node -e 'process.stdout.write(JSON.stringify(process.env))'`],
      {
        encoding: 'utf8',
        env: { PATH: process.env.PATH ?? '' },
      },
    );
    const env = JSON.parse(read) as Record<string, string>;
    for (const [key, value] of Object.entries(stack.envs.documents)) expect(env[key]).toBe(value);
  } finally {
    fs.rmSync(outDir, { recursive: true, force: true });
  }
});
