// Gateway overhead (issue 16 item 2): a proxied `GET /v1/documents/{id}` against a bare fastify hello-world on the
// same machine and against the documents service called directly (with the identity assertion the gateway would
// have sent), all with autocannon in the same run; plus the static `GET /v1/document-types` and `/openapi.json`
// through the gateway. Goals: gateway ≥ 0.4 of bare fastify, ≥ 0.7 of direct. The per-caller rate limit is lifted
// for the run. Targets are measured in interleaved rounds and each figure is the median of its rounds, so that a
// burst of other work on the machine hurts every target alike.
// Usage (infrastructure up): VANTHU_INFRASTRUCTURE=… npx tsx bench/gateway/run.ts [--seconds 8] [--rounds 3]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import autocannon from 'autocannon';
import { createGatewayProver, createIdentitySigner, identityHeader, proofHeader } from '@vanthu/platform';
import type { RequestProver } from '@vanthu/platform';
import { serviceNames } from '../../infra/src/services';
import { ensureRequestProofKeys } from '../../infra/src/identity-keys';
import { startTestStack } from '../../test/support/test-stack';
import { gatewayClient } from '../../test/support/gateway-client';
import { freePorts } from '../../test/support/free-port';
import { makePdf } from '../../test/support/pdfs';

const args = process.argv.slice(2);
const option = (name: string, fallback: number): number => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) || fallback : fallback;
};
const seconds = option('--seconds', 8);
const rounds = option('--rounds', 3);
const connections = option('--connections', 16);
// --no-request-proofs: the stack without request proofs (packages/platform/src/request-proof.ts), the A of their A/B.
const requestProofs = !args.includes('--no-request-proofs');
const outFile = args.includes('--out') ? String(args[args.indexOf('--out') + 1]) : 'results.json';

type Target = { name: string; url: string; headers?: Record<string, string>; prove?: RequestProver };
type Figure = { name: string; requestsPerSecond: number; p50Ms: number; p99Ms: number; non2xx: number };

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;

async function measure(target: Target): Promise<Figure> {
  const result = await autocannon({
    url: target.url,
    connections,
    duration: seconds,
    headers: target.headers ?? {},
    // Called directly, each request carries a proof of its own, as the gateway would make it (single-use).
    ...(target.prove
      ? {
          requests: [
            {
              setupRequest: (request: { method?: string; path?: string; headers?: Record<string, string> }) => {
                const headers = { ...target.headers, ...request.headers };
                const url = new URL(target.url);
                headers[proofHeader] = (target.prove as RequestProver)('documents', {
                  method: request.method ?? 'GET',
                  url: `${url.pathname}${url.search}`,
                  assertion: headers[identityHeader] as string,
                });
                return { ...request, headers };
              },
            },
          ],
        }
      : {}),
  });
  return {
    name: target.name,
    requestsPerSecond: result.requests.average,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    non2xx: result.non2xx + result.errors + result.timeouts,
  };
}

/** A bare fastify hello-world in its own process: the ceiling of any fastify server on this machine. */
async function startBareFastify(port: number): Promise<() => void> {
  const source = `const app = require('fastify')(); app.get('/hello', async () => ({ hello: 'world' }));
    app.listen({ port: ${port}, host: '127.0.0.1' }).then(() => process.stdout.write('ready\\n'));`;
  const child = spawn(process.execPath, ['-e', source], { cwd: path.resolve(__dirname, '../..'), stdio: 'pipe' });
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => chunk.toString().includes('ready') && resolve());
    child.once('exit', (code) => reject(new Error(`bare fastify exited with ${code}`)));
  });
  return () => child.kill('SIGTERM');
}

async function main(): Promise<void> {
  const stack = await startTestStack('benchgwo', {
    env: { gateway: { RATE_LIMIT_PER_MINUTE: '100000000' } },
    requestProofs,
  });
  const prove = requestProofs
    ? createGatewayProver(
        Buffer.from(fs.readFileSync(ensureRequestProofKeys(serviceNames).masterKeyPath, 'utf8'), 'hex'),
      )
    : undefined;
  const [barePort] = await freePorts(1);
  const stopBare = await startBareFastify(barePort as number);
  try {
    const identity = { userId: 'van-thu', agencyCode: '000.00.00.H99', roles: ['clerk', 'specialist'] };
    const token = await stack.token({ user: identity.userId, agency: identity.agencyCode, roles: identity.roles });
    const uploaded = await gatewayClient(stack.gatewayUrl, token).uploadDocument(await makePdf('bench gateway'), {
      direction: 'outgoing',
      subject: 'Đo chi phí của cổng',
    });
    if (uploaded.status !== 201) throw new Error(`upload answered ${uploaded.status}`);
    const id = (uploaded.body as { id: string }).id;
    // What the gateway sends the service: a short-lived assertion signed with its identity key (valid 5 minutes;
    // each round signs a fresh one).
    const signAssertion = createIdentitySigner(fs.readFileSync(stack.infra.identityKeys.privateKeyPath, 'utf8'));
    const bearer = { authorization: `Bearer ${token}` };
    const etag = (await fetch(`${stack.gatewayUrl}/openapi.json`)).headers.get('etag') ?? '';
    const targets = (): Target[] => [
      { name: 'bare fastify hello-world', url: `http://127.0.0.1:${barePort}/hello` },
      {
        name: 'documents directly: GET /v1/documents/{id}',
        url: `http://127.0.0.1:${stack.ports.documents}/v1/documents/${id}`,
        headers: { [identityHeader]: signAssertion(identity as never, 'bench') },
        ...(prove ? { prove } : {}),
      },
      { name: 'gateway: GET /v1/documents/{id}', url: `${stack.gatewayUrl}/v1/documents/${id}`, headers: bearer },
      { name: 'gateway: GET /v1/document-types', url: `${stack.gatewayUrl}/v1/document-types`, headers: bearer },
      {
        name: 'documents directly: GET /v1/document-types',
        url: `http://127.0.0.1:${stack.ports.documents}/v1/document-types`,
        headers: { [identityHeader]: signAssertion(identity as never, 'bench') },
        ...(prove ? { prove } : {}),
      },
      { name: 'gateway: GET /openapi.json (plain)', url: `${stack.gatewayUrl}/openapi.json` },
      {
        name: 'gateway: GET /openapi.json (gzip)',
        url: `${stack.gatewayUrl}/openapi.json`,
        headers: { 'accept-encoding': 'gzip' },
      },
      {
        name: 'gateway: GET /openapi.json (If-None-Match: 304)',
        url: `${stack.gatewayUrl}/openapi.json`,
        headers: { 'if-none-match': etag },
      },
    ];
    const byName = new Map<string, Figure[]>();
    for (let round = 0; round < rounds; round += 1) {
      for (const target of targets()) {
        const figure = await measure(target);
        byName.set(target.name, [...(byName.get(target.name) ?? []), figure]);
        console.log(`round ${round + 1}: ${figure.name}: ${Math.round(figure.requestsPerSecond)}/s`);
      }
    }
    const figures = [...byName.entries()].map(([name, list]) => ({
      name,
      requestsPerSecond: Math.round(median(list.map((f) => f.requestsPerSecond))),
      p50Ms: median(list.map((f) => f.p50Ms)),
      p99Ms: median(list.map((f) => f.p99Ms)),
      non2xx: list.reduce((sum, f) => sum + f.non2xx, 0),
    }));
    const rate = (prefix: string): number => figures.find((f) => f.name.startsWith(prefix))?.requestsPerSecond ?? 0;
    const gateway = rate('gateway: GET /v1/documents/{id}');
    const report = {
      measuredAt: new Date().toISOString(),
      machine: { cpus: os.cpus().length, loadAverage: os.loadavg().map((l) => Math.round(l * 100) / 100) },
      settings: { seconds, rounds, connections, requestProofs },
      figures,
      ratios: {
        gatewayToBareFastify: Math.round((gateway / rate('bare fastify')) * 1000) / 1000,
        gatewayToDirect: Math.round((gateway / rate('documents directly')) * 1000) / 1000,
        goals: { gatewayToBareFastify: 0.4, gatewayToDirect: 0.7 },
      },
    };
    fs.writeFileSync(path.resolve(__dirname, outFile), `${JSON.stringify(report, null, 2)}\n`);
    console.log(JSON.stringify(report, null, 2));
  } finally {
    stopBare();
    await stack.stop();
  }
}

void main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
