import fs from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import {
  bringUpInfrastructure,
  defaultLayout,
  infrastructureFile,
  maxReplicas,
  stackEnvironments,
  stackInstances,
  stopInfrastructure,
} from './stack';
import { dataDir, dataPath, repoRoot } from './paths';
import { defaultPorts } from './services';
import { ProcessSupervisor } from './process-supervisor';
import { ensureHubSandbox, startHubSandbox } from './hub-sandbox';
import { writeSystemdUnits } from './systemd-units';
import { isKafkaUp, defaultKafka } from './kafka';
import { isOcspUp } from './ocsp';
import { isTsaUp } from './tsa';
import { checkApiCompatibility, lintOpenApi, releaseApiDocuments, writeApiDocuments } from './api-docs';
import type { CompatibilityVerdict } from './api-docs';
import { backupStack, restoreStack, stackDataOf } from './backup';
import { defaultMockPort, startMockServer } from './mock-server';
import { contractsVerifyCommand } from './pact-verify';
import type { Infrastructure } from './stack';

// The command-line face of the stack: `npm start`, `npm test` and the stack:* scripts.
const say = (line: string): void => {
  process.stdout.write(`${line}\n`);
};

function runStep(
  title: string,
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  say(`▶ ${title}`);
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: repoRoot, env, stdio: 'inherit' });
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

function loadInfrastructureFile(): Infrastructure {
  if (!fs.existsSync(infrastructureFile())) {
    say('the stack is not set up here: run `npm start` (or `npm run stack:up`) first');
    process.exit(1);
  }
  return JSON.parse(fs.readFileSync(infrastructureFile(), 'utf8')) as Infrastructure;
}

const bin = (name: string): string => path.join(repoRoot, 'node_modules', '.bin', name);

async function build(): Promise<void> {
  const code = await runStep('build (tsc -b)', bin('tsc'), ['-b', 'tsconfig.build.json']);
  if (code !== 0) throw new Error('the build failed');
}

/** `--replicas N` (1 to maxReplicas): processes of each replicable service. */
function replicasOf(args: string[]): number {
  const index = args.indexOf('--replicas');
  if (index < 0) return 1;
  const value = Number(args[index + 1]);
  if (!Number.isInteger(value) || value < 1 || value > maxReplicas) {
    say(`--replicas takes a whole number from 1 to ${maxReplicas}`);
    process.exit(2);
  }
  return value;
}

async function start(args: string[]): Promise<void> {
  const replicas = replicasOf(args);
  say('vanthu: setting up the local stack (idempotent)');
  const infra = await bringUpInfrastructure(say);
  await build();
  // The hub sandbox runs beside the services, and exchange uses it as its hub (infra/src/hub-sandbox.ts).
  const hubDir = dataPath('hub-sandbox');
  const layout = { ...defaultLayout(), exchangeExtra: ensureHubSandbox(infra, { dir: hubDir }).exchangeEnv };
  const envs = await stackEnvironments(infra, layout);
  // One crash takes down only that process while the supervisor restarts it (with backoff, up to a crash budget).
  const supervisor = new ProcessSupervisor(say);
  let stopping = false;
  const stopAll = async (code: number): Promise<never> => {
    if (!stopping) {
      stopping = true;
      say('\nvanthu: stopping services and infrastructure…');
      await supervisor.stop();
      await stopInfrastructure();
      say('vanthu: stopped');
    }
    process.exit(code);
  };
  process.on('SIGINT', () => void stopAll(0));
  process.on('SIGTERM', () => void stopAll(0));
  try {
    const hub = await startHubSandbox(supervisor, infra, { dir: hubDir });
    say(`  ✓ hub sandbox (VXP, LGSP, Bkav) on ${hub.exchangeEnv.HUB_URL}`);
    for (const { name, instance, port, env } of stackInstances(envs, layout, replicas)) {
      const healthPath = name === 'gateway' ? '/health' : '/health/live';
      await supervisor.start({ name, instance, env, healthUrl: `http://127.0.0.1:${port}${healthPath}` });
      if (name !== 'gateway') say(`  ✓ ${instance} on 127.0.0.1:${port}`);
    }
  } catch (error) {
    say(`vanthu: start failed: ${(error as Error).message} (logs in ${dataPath('logs')})`);
    await stopAll(1);
  }
  const url = `http://127.0.0.1:${defaultPorts.gateway}`;
  say('');
  say(`vanthu is running.`);
  say(`  Gateway:        ${url}`);
  say(`  API docs:       ${url}/docs   (OpenAPI 3.1: ${url}/openapi.json, AsyncAPI 3.0: ${url}/asyncapi.json)`);
  say(`  API reference:  ${url}/reference/`);
  say(`  Health:         ${url}/health`);
  say(`  Get a token:    npm run token -- --user u1 --agency 000.00.00.H99 --roles clerk,specialist`);
  say(
    `  Try:            curl -H "Authorization: Bearer $TOKEN" -F file=@doc.pdf -F 'metadata={"direction":"outgoing","subject":"Về việc thử nghiệm"}' ${url}/v1/documents`,
  );
  say(
    `  Hub sandbox:    ${layout.exchangeExtra.HUB_URL} (an integrator's account: ${path.join(hubDir, 'integrator-account.json')})`,
  );
  say(`  Logs:           ${dataPath('logs')}`);
  say('Press Ctrl-C to stop everything.');
}

/** `npm run lint:api`: the OpenAPI document against the rules of docs/redocly.yaml. */
function lintApi(): boolean {
  const { ok, report } = lintOpenApi();
  process.stdout.write(report.replace(/\n*\s*╔[\s\S]*?╝\n*/g, '\n'));
  return ok;
}

const describeVerdict = (verdict: CompatibilityVerdict): string[] => {
  const name = path.relative(repoRoot, verdict.current);
  const counts = ['major', 'minor', 'patch'].map((impact) => {
    const n = verdict.changes.filter((change) => change.impact === impact).length;
    return `${n} ${impact}`;
  });
  const lines = [
    `${verdict.ok ? '✓' : '✗'} ${name} ${verdict.currentVersion} against released ${verdict.releasedVersion}: ${counts.join(', ')}`,
  ];
  for (const change of verdict.changes.filter((c) => c.impact === 'major'))
    lines.push(`    breaking: ${change.where}: ${change.message}`);
  if (!verdict.ok)
    lines.push(
      `    a breaking change needs the next major version (apiVersion in infra/src/api-docs.ts, then npm run docs) and a CHANGELOG entry`,
    );
  return lines;
};

/** `npm run api:gate`: fails on a breaking change to either API document unless its major version went up. */
function apiGate(): boolean {
  const verdicts = checkApiCompatibility();
  for (const verdict of verdicts) for (const line of describeVerdict(verdict)) say(line);
  return verdicts.every((verdict) => verdict.ok);
}

type JestReport = { numPassedTests: number; numFailedTests: number; numPendingTests: number; numTotalTests: number };

async function test(extraArgs: string[]): Promise<void> {
  say('vanthu: setting up the local stack for tests (idempotent)');
  await bringUpInfrastructure(say);
  await build();
  const resultsDir = dataPath('test-results');
  fs.mkdirSync(resultsDir, { recursive: true });
  const checks: { name: string; ok: boolean }[] = [];
  checks.push({ name: 'lint', ok: (await runStep('lint (eslint)', bin('eslint'), ['.', '--max-warnings=0'])) === 0 });
  say('▶ lint (OpenAPI document, redocly)');
  checks.push({ name: 'lint (OpenAPI document)', ok: lintApi() });
  say('▶ breaking-change gate (API documents against docs/released)');
  checks.push({ name: 'breaking-change gate', ok: apiGate() });
  checks.push({
    name: 'format',
    ok: (await runStep('format (prettier --check)', bin('prettier'), ['--check', '.', '--log-level=warn'])) === 0,
  });
  checks.push({
    name: 'type-check (tests, infra, scripts)',
    ok: (await runStep('type-check (tests, infra, scripts)', bin('tsc'), ['-p', 'tsconfig.json', '--noEmit'])) === 0,
  });
  const jestJson = path.join(resultsDir, 'jest.json');
  fs.rmSync(jestJson, { force: true });
  const jestCode = await runStep(
    'jest (unit, integration, http, e2e, contract)',
    bin('jest'),
    ['--ci', '--json', `--outputFile=${jestJson}`, ...extraArgs],
    {
      ...process.env,
      VANTHU_INFRASTRUCTURE: infrastructureFile(),
    },
  );
  let report: JestReport = { numPassedTests: 0, numFailedTests: 0, numPendingTests: 0, numTotalTests: 0 };
  if (fs.existsSync(jestJson)) report = JSON.parse(fs.readFileSync(jestJson, 'utf8')) as JestReport;
  const passed = report.numPassedTests + checks.filter((c) => c.ok).length;
  // A jest run that crashed before reporting counts as one failure, never as a pass.
  const failed =
    report.numFailedTests +
    checks.filter((c) => !c.ok).length +
    (jestCode !== 0 && report.numFailedTests === 0 ? 1 : 0);
  const summary = { passed, failed, skipped: report.numPendingTests, checks };
  fs.writeFileSync(path.join(resultsDir, 'summary.json'), JSON.stringify(summary, null, 2));
  for (const check of checks) say(`${check.ok ? '✓' : '✗'} ${check.name}`);
  say(`tests: ${passed} passed, ${failed} failed`);
  process.exit(failed === 0 ? 0 : 1);
}

async function status(): Promise<void> {
  say(`data directory: ${dataDir}`);
  say(`kafka: ${(await isKafkaUp(defaultKafka())) ? 'up' : 'down'}`);
  say(`ocsp:  ${(await isOcspUp()) ? 'up' : 'down'}`);
  say(`tsa:   ${(await isTsaUp()) ? 'up' : 'down'}`);
  for (const [name, port] of Object.entries(defaultPorts)) {
    let state = 'down';
    try {
      state = (await fetch(`http://127.0.0.1:${port}/health/live`, { signal: AbortSignal.timeout(1_000) })).ok
        ? 'up'
        : 'unhealthy';
    } catch {
      // down
    }
    say(`${name.padEnd(10)} ${state} (127.0.0.1:${port})`);
  }
}

async function main(): Promise<void> {
  const [command, ...rest] = process.argv.slice(2);
  switch (command) {
    case 'start':
      return start(rest);
    case 'test':
      return test(rest);
    case 'up':
      await bringUpInfrastructure(say);
      say(`infrastructure is up; state in ${dataDir}`);
      return;
    case 'down':
      await stopInfrastructure();
      say('infrastructure stopped');
      return;
    case 'reset':
      await stopInfrastructure();
      fs.rmSync(dataDir, { recursive: true, force: true });
      say(`removed ${dataDir}`);
      return;
    case 'status':
      return status();
    case 'units': {
      // systemd units for a production host from the same process table (`npm run stack:units -- --out DIR`).
      const outIndex = rest.indexOf('--out');
      const outDir = path.resolve((outIndex >= 0 ? rest[outIndex + 1] : undefined) ?? dataPath('systemd'));
      const infra = await bringUpInfrastructure(say);
      const envs = await stackEnvironments(infra, defaultLayout());
      writeSystemdUnits({ envs, outDir });
      say(`wrote systemd units to ${outDir}; install with: cp ${outDir}/*.service ${outDir}/vanthu.target`);
      say('  /etc/systemd/system/ && systemctl daemon-reload && systemctl enable --now vanthu.target');
      return;
    }
    case 'backup':
    case 'restore': {
      // `npm run backup -- --to DIR` and `npm run restore -- --from DIR` for the stack of `npm start`
      // (ARCHITECTURE.md, "Backup and restore"). Restore sets the infrastructure up first, as on a new machine.
      const flag = command === 'backup' ? '--to' : '--from';
      const value = rest[rest.indexOf(flag) + 1];
      if (!rest.includes(flag) || !value) {
        say(`usage: npm run ${command} -- ${flag} DIR`);
        process.exit(2);
      }
      const infra = command === 'restore' ? await bringUpInfrastructure(say) : loadInfrastructureFile();
      const stack = stackDataOf(await stackEnvironments(infra, defaultLayout()));
      const dir = path.resolve(value);
      if (command === 'backup') {
        say(`backing up into ${dir}`);
        await backupStack(stack, dir, say);
      } else {
        say(`restoring from ${dir}`);
        await restoreStack(dir, stack, say);
      }
      say(`${command} done`);
      return;
    }
    case 'docs': {
      await build();
      for (const file of await writeApiDocuments()) say(`wrote ${path.relative(repoRoot, file)}`);
      return;
    }
    case 'mock': {
      // `npm run mock -- [--port N] [--host H]`: Prism serving docs/openapi.json for integrators' CI.
      const option = (flag: string): string | undefined =>
        rest.includes(flag) ? rest[rest.indexOf(flag) + 1] : undefined;
      const port = Number(option('--port') ?? defaultMockPort);
      if (!Number.isInteger(port) || port < 1 || port > 65535) {
        say('--port takes a port number');
        process.exit(2);
      }
      const mock = await startMockServer({ port, host: option('--host') ?? '127.0.0.1' });
      say(
        `vanthu mock (Prism) on ${mock.url}, serving docs/openapi.json; any bearer token is accepted; Ctrl-C stops it`,
      );
      for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void mock.stop());
      mock.process.stdout?.pipe(process.stdout);
      mock.process.stderr?.pipe(process.stderr);
      await new Promise((resolve) => mock.process.once('exit', resolve));
      return;
    }
    case 'contracts-verify':
      process.exit((await contractsVerifyCommand(rest, say)) ? 0 : 1);
      return;
    case 'lint-api':
      process.exit(lintApi() ? 0 : 1);
      return;
    case 'api-gate':
      process.exit(apiGate() ? 0 : 1);
      return;
    case 'docs-release':
      for (const file of releaseApiDocuments()) say(`wrote ${path.relative(repoRoot, file)}`);
      return;
    default:
      say(
        'usage: tsx infra/src/cli.ts start|test|up|down|reset|status|units|docs|mock|contracts-verify|backup|restore|lint-api|api-gate|docs-release',
      );
      process.exit(2);
  }
}

main().catch((error: unknown) => {
  say(`vanthu: ${(error as Error).message}`);
  process.exit(1);
});
