import fs from 'node:fs';
import path from 'node:path';
import { Verifier } from '@pact-foundation/pact';
import { createVanthuClient } from '@vanthu/client';
import type { VanthuClient } from '@vanthu/client';
import { hubProvider, verifyHubPacts } from './hub-pact-verify';
import { dataPath } from './paths';
import { sandboxCongVan, sandboxProvince, seedSandbox } from './sandbox';
import { defaultPorts } from './services';
import { infrastructureFile } from './stack';
import type { Infrastructure } from './stack';
import { signDevToken } from './token';

// Consumer-driven contracts for integrators' CI (issue 15): their Pact files (specification V3/V4), verified by Pact's
// own verifier (libpact_ffi) against a running vanthu behind its gateway. `npm run contracts:verify -- --pacts DIR`.

/** What a provider state sets up; the values it returns are injected where the pact uses fromProviderState. */
export type StateHandlers = Record<string, () => Promise<Record<string, string> | void>>;

export type VerifyPactsOptions = {
  /** Pact files, or folders whose *.json files are pacts. */
  pacts: string[];
  gatewayUrl: string;
  /** The bearer token the verifier sends instead of the consumer's own. */
  token: string;
  stateHandlers?: StateHandlers;
  logLevel?: 'error' | 'warn' | 'info' | 'debug';
};

/** The pact files named, each read and parsed first: a file that does not parse is refused with its name. */
export function pactFilesOf(pacts: string[]): string[] {
  const files = pacts.flatMap((entry) =>
    fs.statSync(entry).isDirectory()
      ? fs
          .readdirSync(entry)
          .filter((name) => name.endsWith('.json'))
          .sort()
          .map((name) => path.join(entry, name))
      : [entry],
  );
  if (files.length === 0) throw new Error(`no pact files (*.json) in ${pacts.join(', ')}`);
  for (const file of files) {
    let pact: { consumer?: { name?: unknown }; interactions?: unknown };
    try {
      pact = JSON.parse(fs.readFileSync(file, 'utf8')) as typeof pact;
    } catch (error) {
      throw new Error(`${file} is not a pact: it does not parse as JSON (${(error as Error).message})`);
    }
    if (typeof pact?.consumer?.name !== 'string' || !Array.isArray(pact.interactions))
      throw new Error(`${file} is not a pact: it needs consumer.name and an interactions array`);
  }
  return files;
}

/** The provider a pact file names (`provider.name`). */
export function providerOf(file: string): string | undefined {
  return (JSON.parse(fs.readFileSync(file, 'utf8')) as { provider?: { name?: string } }).provider?.name;
}

/** Verifies the pacts against the gateway; resolves with the verifier's report, rejects naming what failed. */
export async function verifyPacts(options: VerifyPactsOptions): Promise<unknown> {
  const files = pactFilesOf(options.pacts);
  return new Verifier({
    provider: 'vanthu',
    providerBaseUrl: options.gatewayUrl,
    pactUrls: files,
    logLevel: options.logLevel ?? 'warn',
    // The consumer's token is its own; the provider's CI calls as a user of the sandbox.
    requestFilter: (request: { headers: Record<string, unknown> }, _response: unknown, next: () => void) => {
      request.headers.authorization = `Bearer ${options.token}`;
      next();
    },
    stateHandlers: options.stateHandlers ?? {},
  }).verifyProvider();
}

/**
 * The provider states vanthu knows, set up through the public API as the given user (the sandbox's clerk for
 * `npm run contracts:verify`): a consumer names one in `given(...)`.
 */
export function providerStates(client: VanthuClient): StateHandlers {
  return {
    'an outgoing document exists': async () => {
      const document = await client.uploadDocument(await sandboxCongVan(pactDocumentSubject), {
        direction: 'outgoing',
        subject: pactDocumentSubject,
        typeCode: 'CV',
      });
      return { documentId: document.id };
    },
  };
}

export const pactDocumentSubject = 'Về việc thử hợp đồng';

export type ContractsVerifyOptions = {
  pacts: string[];
  gatewayUrl: string;
  infra: Infrastructure;
  /** The sandbox folder (its manifest, keys and seal certificates). */
  outDir: string;
  roles?: string[];
  say?: (line: string) => void;
};

/**
 * Seeds the sandbox province (idempotent, as `npm run sandbox`), then verifies the pacts as a user of its People's
 * Committee holding the roles given (clerk and admin by default), the provider states set up through the API.
 */
export async function verifyPactsOnSandbox(options: ContractsVerifyOptions): Promise<unknown> {
  const say = options.say ?? ((): void => undefined);
  pactFilesOf(options.pacts); // refuse a file that is not a pact before anything is seeded
  say(`seeding the sandbox on ${options.gatewayUrl} (idempotent)`);
  await seedSandbox({ gatewayUrl: options.gatewayUrl, infra: options.infra, outDir: options.outDir });
  const token = await signDevToken(options.infra.devJwt.privateKeyPath, {
    user: 'contracts-verifier',
    agency: sandboxProvince.code,
    roles: options.roles ?? ['clerk', 'admin'],
    ttlSeconds: 3600,
    issuer: options.infra.devJwt.issuer,
  } as Parameters<typeof signDevToken>[1]);
  const client = createVanthuClient({ baseUrl: options.gatewayUrl, token });
  return verifyPacts({
    pacts: options.pacts,
    gatewayUrl: options.gatewayUrl,
    token,
    stateHandlers: providerStates(client),
  });
}

/** `npm run contracts:verify -- --pacts DIR [--pacts FILE …] [--gateway URL] [--roles clerk,admin]` beside `npm start`. */
export async function contractsVerifyCommand(args: string[], say: (line: string) => void): Promise<boolean> {
  const option = (flag: string): string | undefined => (args.includes(flag) ? args[args.indexOf(flag) + 1] : undefined);
  const pacts = args.flatMap((arg, i) => (args[i - 1] === '--pacts' ? [path.resolve(arg)] : []));
  if (pacts.length === 0) throw new Error('usage: npm run contracts:verify -- --pacts DIR [--gateway URL]');
  for (const entry of pacts) if (!fs.existsSync(entry)) throw new Error(`${entry} does not exist`);
  if (!fs.existsSync(infrastructureFile())) throw new Error('the stack is not set up: run `npm start` first');
  try {
    // A hub adapter's pacts name the hub sandbox as their provider: they are verified against it, the others
    // against vanthu's gateway.
    const files = pactFilesOf(pacts);
    const hubPacts = files.filter((file) => providerOf(file) === hubProvider);
    const vanthuPacts = files.filter((file) => !hubPacts.includes(file));
    if (vanthuPacts.length > 0)
      await verifyPactsOnSandbox({
        pacts: vanthuPacts,
        gatewayUrl: option('--gateway') ?? `http://127.0.0.1:${defaultPorts.gateway}`,
        infra: JSON.parse(fs.readFileSync(infrastructureFile(), 'utf8')) as Infrastructure,
        outDir: dataPath('sandbox'),
        roles: option('--roles')?.split(','),
        say,
      });
    if (hubPacts.length > 0) {
      say(`verifying ${hubPacts.length} hub adapter pact(s) against the hub sandbox`);
      await verifyHubPacts({ pacts: hubPacts, hubDir: dataPath('hub-sandbox') });
    }
    say('every pact verified');
    return true;
  } catch (error) {
    say(`pact verification failed: ${(error as Error).message}`);
    return false;
  }
}
