// Hub adapter overhead (issue 13): edXML messages per second sent through the VXP adapter and through the LGSP
// adapter (with its Bearer login) to the hub sandbox, each against a bare HTTP POST loop of the same payloads to
// the same sandbox route with the same authentication (the VXP signed headers computed the same way; the LGSP
// token fetched once), in the same run. Targets are measured in interleaved rounds, the same concurrency for all,
// and each figure is the median of its rounds. Bounded: --messages per target and round (default 120), --rounds
// (default 3), and a wall-clock limit of 100 s after which the run stops and reports what it has.
// Usage: npx tsx bench/exchange/run.ts [--messages 120] [--rounds 3] [--concurrency 4] [--attachment-kb 256]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createHash, randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { buildEdxml } from '../../services/exchange/src/domain/edxml/build-edxml';
import type { EdxmlDocument } from '../../services/exchange/src/domain/edxml/model';
import { buildHubSandbox } from '../../services/exchange/src/hub-sandbox/sandbox-app';
import type { SandboxAgency } from '../../services/exchange/src/hub-sandbox/sandbox-app';
import type { HubAdapter, HubCredentials } from '../../services/exchange/src/hub/hub-adapter';
import { LgspAdapter } from '../../services/exchange/src/hub/lgsp-adapter';
import { VxpAdapter, vxpHeaders } from '../../services/exchange/src/hub/vxp-adapter';

const args = process.argv.slice(2);
const option = (name: string, fallback: number): number => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) || fallback : fallback;
};
const messagesPerRound = option('--messages', 120);
const rounds = option('--rounds', 3);
const concurrency = option('--concurrency', 4);
const attachmentKb = option('--attachment-kb', 256);
const wallClockLimitMs = 100_000;
const startedAt = Date.now();

const agencyA = '000.00.61.H56';
const agencyB = '000.00.62.H56';
const agencies: SandboxAgency[] = [
  { code: agencyA, name: 'Sở Nội vụ', systemId: 'bench-a', secret: 'bench-secret-a' },
  { code: agencyB, name: 'Sở Y tế', systemId: 'bench-b', secret: 'bench-secret-b' },
];
const credentials: HubCredentials = { agencyCode: agencyA, systemId: 'bench-a', secret: 'bench-secret-a' };
const login = { username: 'bench', password: 'bench-password', applicationCode: 'VANTHU' };

let serial = 0;
/** A distinct công văn each time (the sandbox answers a repeated file with its first DocId, without the work). */
function payload(): Buffer {
  serial += 1;
  const document: EdxmlDocument = {
    header: {
      from: { organId: agencyA, organName: 'Sở Nội vụ' },
      to: [{ organId: agencyB }],
      documentId: `${agencyA},2026/12/02,${serial}/SNV-VP`,
      code: { codeNumber: String(serial), codeNotation: 'SNV-VP' },
      promulgationInfo: { promulgationDate: '2026-12-02' },
      documentType: { type: 'CV', typeName: 'Công văn' },
      subject: `V/v đo hiệu năng liên thông ${serial}`,
      toPlaces: [],
      otherInfo: { priority: 0, pageAmount: 3, appendixes: [] },
      responseFor: [],
    },
    traceHeaders: [{ organId: agencyA, timestamp: '2026-12-02T10:00:00+07:00' }],
    business: { businessDocType: 0, businessDocReason: 'Văn bản điện tử mới', receivers: [], replacements: [] },
    attachments: [
      {
        contentId: '1',
        name: `${serial}-SNV-VP.pdf`,
        contentType: 'application/pdf',
        content: Buffer.concat([Buffer.from('%PDF-1.7\n'), randomBytes(attachmentKb * 1024)]),
      },
    ],
  };
  return buildEdxml(document);
}

type Send = (edxml: Buffer) => Promise<void>;

/** Sends `messages` with `concurrency` in flight; messages per second. */
async function measure(send: Send, messages: Buffer[]): Promise<number> {
  let next = 0;
  const began = process.hrtime.bigint();
  const worker = async (): Promise<void> => {
    while (next < messages.length) {
      const message = messages[next]!;
      next += 1;
      await send(message);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const seconds = Number(process.hrtime.bigint() - began) / 1e9;
  return messages.length / seconds;
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;

async function main(): Promise<void> {
  const sandbox = await buildHubSandbox({ agencies, lgspLogins: [login] });
  await sandbox.app.listen({ host: '127.0.0.1', port: 0 });
  const url = `http://127.0.0.1:${(sandbox.app.server.address() as AddressInfo).port}`;

  const throughAdapter =
    (adapter: HubAdapter): Send =>
    async (edxml) => {
      await adapter.sendEdoc(credentials, { messageType: 'edoc', to: [agencyB], edxml });
    };
  // The bare loops: the same request on the wire, with nothing around it but a check of the answer's code.
  const bareVxp: Send = async (edxml) => {
    const form = new FormData();
    form.append('file_doc', new Blob([edxml], { type: 'application/xml' }), 'edoc.edxml');
    const headers = vxpHeaders(
      credentials,
      {
        from: agencyA,
        servicetype: 'eDoc',
        messagetype: 'edoc',
        to: JSON.stringify([agencyB]),
        'hash-file': createHash('sha256').update(edxml).digest('hex'),
      },
      new Date(),
    );
    const answer = (await (await fetch(`${url}/sendEdoc`, { method: 'POST', headers, body: form })).json()) as {
      ErrorCode?: string;
    };
    if (answer.ErrorCode !== '0') throw new Error(`bare VXP send refused: ${JSON.stringify(answer)}`);
  };
  const loginAnswer = (await (
    await fetch(`${url}/v1/auth/login?allow_anonymous=true`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(login),
    })
  ).json()) as { data: { token: string } };
  const bareLgsp: Send = async (edxml) => {
    const form = new FormData();
    form.append('edocFile', new Blob([edxml], { type: 'application/xml' }), 'edoc.edxml');
    form.append('messageType', 'edoc');
    const response = await fetch(`${url}/v1/sendEdoc`, {
      method: 'POST',
      headers: {
        'X-SystemId': credentials.systemId,
        'X-SecretKey': credentials.secret,
        authorization: `Bearer ${loginAnswer.data.token}`,
      },
      body: form,
    });
    const answer = (await response.json()) as { success?: boolean };
    if (answer.success !== true) throw new Error(`bare LGSP send refused: ${JSON.stringify(answer)}`);
  };
  const targets: { name: string; send: Send }[] = [
    { name: 'vxp adapter', send: throughAdapter(new VxpAdapter(url)) },
    { name: 'vxp bare POST', send: bareVxp },
    { name: 'lgsp adapter (Bearer login)', send: throughAdapter(new LgspAdapter(url, { login })) },
    { name: 'lgsp bare POST', send: bareLgsp },
  ];

  // One warm-up message per target (connections, JIT), not counted.
  for (const target of targets) await target.send(payload());
  const figures: Record<string, number[]> = Object.fromEntries(targets.map((t) => [t.name, []]));
  let completedRounds = 0;
  for (let round = 0; round < rounds; round += 1) {
    if (Date.now() - startedAt > wallClockLimitMs) break;
    for (const target of targets) {
      // Payloads are built before the clock starts: building edXML is not what is measured here.
      const messages = Array.from({ length: messagesPerRound }, payload);
      figures[target.name]!.push(await measure(target.send, messages));
    }
    completedRounds += 1;
  }
  await sandbox.app.close();

  const perSecond = (name: string): number => Math.round(median(figures[name]!) * 10) / 10;
  const ratio = (a: string, b: string): number => Math.round((median(figures[a]!) / median(figures[b]!)) * 100) / 100;
  const report = {
    at: new Date().toISOString(),
    machine: { cpus: os.cpus().length, loadAverage: os.loadavg().map((l) => Math.round(l * 10) / 10) },
    settings: { messagesPerRound, rounds: completedRounds, concurrency, attachmentKb },
    messageBytes: payload().length,
    messagesPerSecond: Object.fromEntries(targets.map((t) => [t.name, perSecond(t.name)])),
    rounds: figures,
    ratios: {
      vxp: ratio('vxp adapter', 'vxp bare POST'),
      lgsp: ratio('lgsp adapter (Bearer login)', 'lgsp bare POST'),
    },
  };
  fs.writeFileSync(path.join(__dirname, 'results.json'), `${JSON.stringify(report, null, 2)}\n`);
  process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
}

void main().catch((error: unknown) => {
  process.stderr.write(`${String((error as Error).stack ?? error)}\n`);
  process.exit(1);
});
