import fs from 'node:fs';
import path from 'node:path';
import { execFile } from 'node:child_process';
import { createVanthuClient } from '@vanthu/client';
import { makePdf } from '../support/pdfs';
import { currentVietnamMonth, eventually } from '../support/wait';
import { startTestStack } from '../support/test-stack';
import type { TestStack } from '../support/test-stack';
import { repoRoot } from '../../infra/src/paths';
import { seedSandbox } from '../../infra/src/sandbox';
import type { SandboxManifest } from '../../infra/src/sandbox';
import { deleteTokenKeyPair } from '../../infra/src/softhsm';
import { pdfsig } from '../../services/signing/test/support';
import { integratorAgency } from '../../infra/src/hub-sandbox';
import type { HubSandboxSetup } from '../../infra/src/hub-sandbox';
import { parseEdxml } from '../../services/exchange/src/domain/edxml/parse-edxml';
import { SandboxMessageFiles } from '../../services/exchange/src/hub-sandbox/message-store';
import { startTestHubSandbox } from '../support/hub-sandbox';

// Every example of the README written with @vanthu/client runs (issue 15: "Every example in the README is written
// with it and runs in a test"), and so does every guide of docs/guides ("a guide per use … each a tested script"):
// the code blocks are taken from the Markdown as they are, written to files and run with tsx as an integrator would
// run them (the built client, top-level await), against a stack started as processes.

type Example = { index: number; code: string };

const tsBlocks = (markdown: string): string[] =>
  [...markdown.matchAll(/^```ts\n([\s\S]*?)^```/gm)].map((m) => m[1] ?? '');

/** The ```ts blocks of the README that import @vanthu/client, in order: each is a script of its own. */
function readmeClientExamples(readme: string): Example[] {
  return tsBlocks(readme)
    .map((code, index) => ({ index, code }))
    .filter((b) => b.code.includes("from '@vanthu/client'"));
}

const guidesDir = path.join(repoRoot, 'docs', 'guides');
/** Each guide's ```ts blocks, in order, are one script: a later step uses what an earlier one made. */
const guideScripts = (): { name: string; code: string }[] =>
  fs
    .readdirSync(guidesDir)
    .filter((f) => f.endsWith('.md') && f !== 'README.md')
    .map((f) => ({ name: f, code: tsBlocks(fs.readFileSync(path.join(guidesDir, f), 'utf8')).join('\n') }));

const run = (file: string, env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> =>
  new Promise((resolve) => {
    execFile(
      path.join(repoRoot, 'node_modules', '.bin', 'tsx'),
      [file],
      { cwd: path.dirname(file), env: { ...process.env, ...env }, timeout: 300_000 },
      (error, stdout, stderr) =>
        resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });

let stack: TestStack;
let dir: string;
let sandbox: SandboxManifest | undefined;
let hub: HubSandboxSetup;
let stopHub: (() => Promise<void>) | undefined;

beforeAll(async () => {
  // The hub sandbox as `npm start` runs it (hub-sandbox-start.e2e), for the receiving guide.
  ({ hub, stop: stopHub } = await startTestHubSandbox('readme'));
  // Exchange uses it as its hub, polling every second rather than every minute.
  stack = await startTestStack('readme', { env: { exchange: { ...hub.exchangeEnv, RECEIVE_INTERVAL_MS: '1000' } } });
  // Inside the repository (git-ignored .data), so that '@vanthu/client' resolves as in an integrator's project.
  fs.mkdirSync(path.join(repoRoot, '.data'), { recursive: true });
  dir = fs.mkdtempSync(path.join(repoRoot, '.data', 'readme-examples-'));
}, 180_000);
afterAll(async () => {
  await stack?.stop();
  // The HSM token is shared by every stack on this machine: remove the seal keys the sandbox seeding generated.
  if (stack) for (const seal of sandbox?.seals ?? []) await deleteTokenKeyPair(stack.infra.hsm, seal.keyIdHex);
  await stopHub?.();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe('the README examples written with @vanthu/client', () => {
  const examples = readmeClientExamples(fs.readFileSync(path.join(repoRoot, 'README.md'), 'utf8'));

  it('are found in the README', () => {
    expect(examples.length).toBeGreaterThanOrEqual(1);
  });

  it('each runs to the end against a real stack, and what it says it did is in the stack', async () => {
    const token = await stack.token({ user: 'van-thu', agency: '000.00.00.H99', roles: ['clerk'] });
    const pdf = path.join(dir, 'example.pdf');
    fs.writeFileSync(pdf, await makePdf('readme example'));
    for (const example of examples) {
      const file = path.join(dir, `example-${example.index}.mts`);
      fs.writeFileSync(file, example.code);
      const result = await run(file, { VANTHU_URL: stack.gatewayUrl, VANTHU_TOKEN: token, VANTHU_PDF: pdf });
      expect({ example: example.index, code: result.code, stderr: result.stderr }).toEqual({
        example: example.index,
        code: 0,
        stderr: '',
      });
      // The upload example prints the document it read back and its 404 branch; the document is really stored.
      if (example.code.includes('uploadDocument')) {
        expect(result.stdout).toMatch(/^Về việc thử nghiệm 1$/m);
        expect(result.stdout).toMatch(/^not found /m);
        const client = createVanthuClient({ baseUrl: stack.gatewayUrl, token });
        const stored = [];
        for await (const d of client.paginate('/v1/documents', { params: { query: { direction: 'outgoing' } } }))
          stored.push(d.subject);
        expect(stored).toContain('Về việc thử nghiệm');
      }
    }
  });

  it('a failing example fails the run (the harness does not swallow errors)', async () => {
    const file = path.join(dir, 'failing.mts');
    fs.writeFileSync(
      file,
      "import { createVanthuClient } from '@vanthu/client';\n" +
        "await createVanthuClient({ baseUrl: process.env.VANTHU_URL! }).GET('/v1/registers');\n",
    );
    const result = await run(file, { VANTHU_URL: stack.gatewayUrl });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/401/);
  });
});

describe('the guides of docs/guides', () => {
  const guides = guideScripts();
  // What each guide must print when it ran against a real stack: the lines that prove it did what its text says.
  const expected: Record<string, RegExp[]> = {
    'upload-and-track.md': [
      /^uploaded draft 1$/m,
      /^registered registered true$/m,
      /^state registered 1$/m,
      /^found by words true$/m,
      /^access log true$/m,
      /^missing NOT_FOUND$/m,
    ],
    'reading-reports.md': [
      /^report 000\.00\.00\.H99 \d{4}-\d{2} \S+$/m,
      /^fullyElectronic: \d+\/\d+ \(.+\)$/m,
      /^without organisation signature \d+$/m,
      /^csv lines true$/m,
      /^may be behind (true|false)$/m,
    ],
    'webhooks.md': [
      /^endpoint active incoming-document\.arrived$/m,
      /^delivered incoming-document\.arrived$/m,
      /^logged true$/m,
    ],
    'outgoing-with-token-signing.md': [
      /^started outgoing \S+$/m,
      /^submitted draft$/m,
      /^initial content signed$/m,
      /^initial format signed$/m,
      /^approval signed$/m,
      /^numbered \d+\/UBND-TH$/m,
      /^process completed issued$/m,
      /^signatures unit-review:initial format-check:initial approval:approval sealing:issue$/m,
      /^history valid true$/m,
    ],
    'receiving-from-the-hub.md': [
      /^sent to the hub string$/m,
      /^received received true$/m,
      /^incoming document incoming true$/m,
      /^registered registered true$/m,
      /^assigned$/m,
      /^handled$/m,
      /^statuses 01 03 04 05 06$/m,
      /^sent back 01 03 04 05 06$/m,
    ],
  };

  it('are each checked by this test, and each has a script', () => {
    expect(guides.map((g) => g.name).sort()).toEqual(Object.keys(expected).sort());
    for (const guide of guides) expect(guide.code).toContain("from '@vanthu/client'");
  });

  it('each runs to the end as one script against a real stack and prints what its text says it does', async () => {
    let outgoingOutput = '';
    const token = await stack.token({ user: 'van-thu-guides', agency: '000.00.00.H99', roles: ['clerk', 'admin'] });
    const pdf = path.join(dir, 'guide.pdf');
    fs.writeFileSync(pdf, await makePdf('guide upload and track'));
    const client = createVanthuClient({ baseUrl: stack.gatewayUrl, token });
    // The agency's documents as documents lists them: what reading-reports must count (all made this month).
    const listed = async (): Promise<number> => {
      let n = 0;
      for await (const d of client.paginate('/v1/documents', { params: { query: { limit: 100 } } })) if (d.id) n += 1;
      return n;
    };
    // In file order: reading-reports counts the document upload-and-track registered, once reporting has read the
    // events (within 2 s while Kafka is up, issue 14 item 8; waited for here, not assumed).
    const inOrder = Object.keys(expected).map((name) => guides.find((g) => g.name === name)!);
    for (const guide of inOrder) {
      // The outgoing guide runs against the seeded sandbox (its people, keys and registers), as its text says.
      if (guide.name === 'outgoing-with-token-signing.md')
        sandbox = await seedSandbox({
          gatewayUrl: stack.gatewayUrl,
          infra: stack.infra,
          outDir: path.join(dir, 'sandbox'),
        });
      if (guide.name === 'reading-reports.md') {
        const want = await listed();
        expect(want).toBeGreaterThan(0);
        await eventually(
          () => client.GET('/v1/reports/compliance', { params: { query: { month: currentVietnamMonth() } } }),
          (report) => report.documents.total === want,
          30_000,
          `reporting to count the ${want} documents`,
        );
        expected[guide.name]!.push(new RegExp(`^documents ${want}$`, 'm'));
      }
      const file = path.join(dir, guide.name.replace(/\.md$/, '.mts'));
      fs.writeFileSync(file, guide.code);
      const result = await run(file, {
        VANTHU_URL: stack.gatewayUrl,
        VANTHU_TOKEN: token,
        VANTHU_PDF: pdf,
        ...(sandbox ? { VANTHU_SANDBOX: path.join(dir, 'sandbox', 'sandbox.json') } : {}),
        VANTHU_HUB_ACCOUNT: path.join(hub.dir, 'integrator-account.json'),
      });
      if (guide.name === 'outgoing-with-token-signing.md') outgoingOutput = result.stdout;
      expect({ guide: guide.name, code: result.code, stderr: result.stderr }).toEqual({
        guide: guide.name,
        code: 0,
        stderr: '',
      });
      for (const line of expected[guide.name] ?? [])
        expect({ guide: guide.name, stdout: result.stdout }).toEqual({
          guide: guide.name,
          stdout: expect.stringMatching(line),
        });
    }
    // What upload-and-track says it did is in the stack: the document is registered, with a số đến.
    const registered = [];
    for await (const d of client.paginate('/v1/documents', {
      params: { query: { direction: 'incoming', status: 'registered' } },
    }))
      registered.push(d);
    expect(registered.map((d) => d.subject)).toContain('Về việc báo cáo tình hình ứng dụng chữ ký số');

    // What the outgoing guide says it did is in the stack, checked apart from routing: documents has it issued with
    // its number, signing lists the four signatures by their signers (the three token signatures by the people whose
    // keys the guide used, the seal by no person), and poppler finds each valid in the issued PDF.
    const documentId = /^document (\S+)$/m.exec(outgoingOutput)?.[1];
    expect(documentId).toBeDefined();
    const clerk = createVanthuClient({
      baseUrl: stack.gatewayUrl,
      token: sandbox!.logins.find((l) => l.role === 'clerk')!.token,
    });
    const issued = await clerk.GET('/v1/documents/{id}', { params: { path: { id: documentId! } } });
    expect(issued.status).toBe('issued');
    const signatures = await clerk.GET('/v1/documents/{id}/signatures', { params: { path: { id: documentId! } } });
    expect(signatures.map((s) => [s.kind, s.signerUserId ?? null])).toEqual([
      ['initial', 'cuong'],
      ['initial', 'kiem-tra'],
      ['approval', 'an'],
      ['issue', null],
    ]);
    const content = await clerk.raw.GET('/v1/documents/{id}/content', {
      params: { path: { id: documentId! } },
      parseAs: 'arrayBuffer',
    });
    const file = path.join(dir, 'outgoing-issued.pdf');
    fs.writeFileSync(file, Buffer.from(content.data as ArrayBuffer));
    const found = pdfsig(file);
    expect(found).toHaveLength(4);
    expect(found.every((s) => s.valid)).toBe(true);

    // What the receiving guide says came back is at the hub, read from the hub's own store and parsed by exchange's
    // edXML parser (not the guide's regular expression): one status per step for the integrator's document, each
    // from the People's Committee and each acknowledged by the guide. vanthu holds the document it sent, registered.
    const received = [];
    for await (const d of clerk.paginate('/v1/documents', {
      params: { query: { direction: 'incoming', status: 'registered', q: 'phoi hop ket noi he thong' } },
    }))
      received.push(d);
    expect(received).toHaveLength(1);
    const arrived = await clerk.GET('/v1/documents/{id}', { params: { path: { id: received[0]!.id } } });
    expect(arrived.metadata).toMatchObject({ sender: { organId: integratorAgency.code }, codeNotation: 'HTTH-VP' });
    const atHub = new SandboxMessageFiles(path.join(hub.dir, 'messages'))
      .load()
      .filter((m) => m.messageType === 'status' && m.to === integratorAgency.code);
    const statuses = atHub.map((m) => ({ parsed: parseEdxml(m.edxml), acknowledged: m.status }));
    expect(statuses.every((s) => s.parsed.kind === 'status' && s.acknowledged === 'done')).toBe(true);
    const codes = statuses.flatMap((s) =>
      s.parsed.kind === 'status' && s.parsed.status.from.organId === '000.00.00.H99'
        ? [s.parsed.status.statusCode]
        : [],
    );
    expect(codes.sort()).toEqual(['01', '03', '04', '05', '06']);
  }, 600_000);
});
