import fs from 'node:fs';
import path from 'node:path';
import { execFile } from 'node:child_process';
import { createVanthuClient } from '@vanthu/client';
import { makePdf } from '../support/pdfs';
import { startTestStack } from '../support/test-stack';
import type { TestStack } from '../support/test-stack';
import { repoRoot } from '../../infra/src/paths';

// Every example of the README written with @vanthu/client runs (issue 15: "Every example in the README is written
// with it and runs in a test"): the code blocks are taken from README.md as they are, written to files and run with
// tsx as an integrator would run them (the built client, top-level await), against a stack started as processes.

type Example = { index: number; code: string };

/** The ```ts blocks of the README that import @vanthu/client, in order. */
function readmeClientExamples(readme: string): Example[] {
  const blocks = [...readme.matchAll(/^```ts\n([\s\S]*?)^```/gm)].map((m) => m[1] ?? '');
  return blocks.map((code, index) => ({ index, code })).filter((b) => b.code.includes("from '@vanthu/client'"));
}

const run = (file: string, env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> =>
  new Promise((resolve) => {
    execFile(
      path.join(repoRoot, 'node_modules', '.bin', 'tsx'),
      [file],
      { cwd: path.dirname(file), env: { ...process.env, ...env }, timeout: 120_000 },
      (error, stdout, stderr) =>
        resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });

let stack: TestStack;
let dir: string;

beforeAll(async () => {
  stack = await startTestStack('readme');
  // Inside the repository (git-ignored .data), so that '@vanthu/client' resolves as in an integrator's project.
  fs.mkdirSync(path.join(repoRoot, '.data'), { recursive: true });
  dir = fs.mkdtempSync(path.join(repoRoot, '.data', 'readme-examples-'));
}, 180_000);
afterAll(async () => {
  await stack?.stop();
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
