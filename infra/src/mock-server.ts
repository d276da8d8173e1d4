import path from 'node:path';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { repoRoot } from './paths';

// A mock of the vanthu API for integrators whose CI cannot start the whole stack (issue 15, contract tests):
// Prism (@stoplight/prism-cli) serves docs/openapi.json, validating each request against the document (a missing
// bearer token is 401, a body that breaks its schema is the operation's 400/422) and answering with the response the
// document declares, built from the schemas' examples. `npm run mock -- [--port 4010] [--host 127.0.0.1]`.

export const defaultMockPort = 4010;

export type MockServer = { url: string; process: ChildProcess; stop: () => Promise<void> };

export type MockServerOptions = {
  port?: number;
  host?: string;
  /** The OpenAPI document served (default docs/openapi.json). */
  document?: string;
  /** Prism's log lines (default: dropped). */
  log?: (chunk: string) => void;
  /** How long to wait for Prism to answer (default 120 s: it compiles every schema first). */
  startTimeoutMs?: number;
};

/** Starts Prism on the OpenAPI document and resolves once it answers HTTP. */
export async function startMockServer(options: MockServerOptions = {}): Promise<MockServer> {
  const host = options.host ?? '127.0.0.1';
  const port = options.port ?? defaultMockPort;
  const document = options.document ?? path.join(repoRoot, 'docs', 'openapi.json');
  const child = spawn(
    path.join(repoRoot, 'node_modules', '.bin', 'prism'),
    ['mock', document, '--host', host, '--port', String(port)],
    { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const log = options.log ?? ((): void => undefined);
  child.stdout?.on('data', (chunk: Buffer) => log(chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => log(chunk.toString('utf8')));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    await exited;
  };
  const url = `http://${host}:${port}`;
  const deadline = Date.now() + (options.startTimeoutMs ?? 120_000);
  let gone: number | null | undefined;
  void exited.then((code) => {
    gone = code;
  });
  while (Date.now() < deadline) {
    if (gone !== undefined) throw new Error(`prism exited with ${gone} before answering on ${url}`);
    // Any HTTP answer means it listens: /health is declared without security, so it answers 200.
    const answered = await fetch(`${url}/health`, { signal: AbortSignal.timeout(2_000) })
      .then(() => true)
      .catch(() => false);
    if (answered) return { url, process: child, stop };
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  await stop();
  throw new Error(`prism did not answer on ${url} within ${options.startTimeoutMs ?? 120_000} ms`);
}
