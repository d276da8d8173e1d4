import fs from 'node:fs';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { buildEdxml } from '../../services/exchange/src/domain/edxml/build-edxml';
import { VxpAdapter } from '../../services/exchange/src/hub/vxp-adapter';
import type { HubCredentials } from '../../services/exchange/src/hub/hub-adapter';
import { ensureHubSandbox, integratorAgency, startHubSandbox } from '../../infra/src/hub-sandbox';
import { ProcessSupervisor } from '../../infra/src/process-supervisor';
import { loadInfrastructure } from '../support/infrastructure';
import { eventually } from '../support/wait';
import { fetchWhole } from '../../services/exchange/test/hub-test-context';

// issue 13 item 6: `npm start` starts the hub sandbox like every other component (infra/src/cli.ts calls
// startHubSandbox under the same supervisor) and gives exchange its address and the local agencies' accounts.
// Here the built sandbox runs exactly so; exchange's own VXP adapter sends with a local agency's account to the
// integrator's agency, which reads it with its own account; a killed sandbox is restarted and still holds it.

const infra = loadInfrastructure();
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hub-sandbox-start-'));
const supervisor = new ProcessSupervisor(() => undefined, {
  firstDelayMs: 500,
  maxDelayMs: 500,
  crashBudget: 3,
  crashWindowMs: 600_000,
  healthTimeoutMs: 60_000,
});
afterAll(async () => {
  await supervisor.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

const freePort = () =>
  new Promise<number>((resolve) => {
    const probe = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });

it('starts the hub sandbox with the local agencies and an integrator’s, keeps its accounts and its messages', async () => {
  const port = await freePort();
  // Its own log and pid file, so that a `npm start` of this checkout is left alone.
  const hub = await startHubSandbox(supervisor, infra, { dir, port, logName: 'hub-sandbox-e2e' });
  expect(hub.exchangeEnv.HUB_URL).toBe(`http://127.0.0.1:${port}`);
  const local = [...new Set(infra.hsm.seals.map((s) => s.agencyCode))];
  expect(hub.agencies.map((a) => a.code).sort()).toEqual([...local, integratorAgency.code].sort());
  // Exchange's accounts are the local agencies' only, with the secrets the hub knows; the files are the owner's.
  const accounts = JSON.parse(fs.readFileSync(hub.exchangeEnv.HUB_CREDENTIALS_FILE!, 'utf8')) as HubCredentials[];
  expect(accounts.map((a) => a.agencyCode).sort()).toEqual([...local].sort());
  expect(fs.statSync(hub.exchangeEnv.HUB_CREDENTIALS_FILE!).mode & 0o077).toBe(0);
  const integrator = JSON.parse(
    fs.readFileSync(path.join(dir, 'integrator-account.json'), 'utf8'),
  ) as HubCredentials & {
    hubUrl: string;
  };

  const adapter = new VxpAdapter(hub.exchangeEnv.HUB_URL!, { timeoutMs: 5_000 });
  const from = accounts[0]!;
  const edxml = buildEdxml({
    header: {
      from: { organId: from.agencyCode },
      to: [{ organId: integrator.agencyCode }],
      documentId: `${from.agencyCode},2026/12/04,12/UBND-VP`,
      code: { codeNumber: '12', codeNotation: 'UBND-VP' },
      promulgationInfo: { promulgationDate: '2026-12-04' },
      documentType: { type: 'CV', typeName: 'Công văn' },
      subject: 'V/v thử trục liên thông của npm start',
      toPlaces: [],
      responseFor: [],
    },
    traceHeaders: [{ organId: from.agencyCode, timestamp: '2026-12-04T09:00:00+07:00' }],
    attachments: [
      { contentId: '1', name: 'cv.pdf', contentType: 'application/pdf', content: Buffer.from('%PDF-1.7\n%%EOF\n') },
    ],
  });
  const sent = await adapter.sendEdoc(from, { messageType: 'edoc', to: [integrator.agencyCode], edxml });
  if (sent.docId === null) throw new Error('a first send cannot be held already');
  const listed = await adapter.listReceived(integrator, 'edoc');
  expect(listed.map((m) => m.docId)).toEqual([sent.docId]);
  expect((await fetchWhole(adapter, integrator, sent.docId)).equals(edxml)).toBe(true);

  // Killed, the supervisor restarts it; the message was kept in its data directory.
  process.kill(supervisor.pid('hub-sandbox')!, 'SIGKILL');
  await eventually(
    async () =>
      (await fetch(`${hub.exchangeEnv.HUB_URL}/health/live`).catch(() => undefined))?.ok === true &&
      supervisor.restarts('hub-sandbox') > 0,
    (up) => up,
    30_000,
    'the hub sandbox to be restarted',
  );
  expect((await fetchWhole(adapter, integrator, sent.docId)).equals(edxml)).toBe(true);

  // Set up again (the next `npm start`), the accounts are the same.
  expect(ensureHubSandbox(infra, { dir, port }).agencies).toEqual(hub.agencies);
});
