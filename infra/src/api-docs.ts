import { execFileSync, spawnSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createLogger, createPool, openApiDocumentOf } from '@vanthu/platform';
import type { ServiceApp } from '@vanthu/platform';
import { buildAsyncApiDocument } from '@vanthu/contracts';
import { BlobStore, buildApp as buildDocuments } from '@vanthu/documents';
import { HsmConnection, buildApp as buildSigning } from '@vanthu/signing';
import { buildApp as buildRouting } from '@vanthu/routing';
import { buildApp as buildReporting } from '@vanthu/reporting';
import { buildApp as buildExchange } from '@vanthu/exchange';
import { buildApp as buildNotifications } from '@vanthu/notifications';
import { composeOpenApi } from '@vanthu/gateway';
import { repoRoot } from './paths';

export const apiDocsDir = path.join(repoRoot, 'docs');
export const apiVersion = '0.1.0';

/**
 * The public OpenAPI and AsyncAPI documents, generated from the same route schemas and event
 * catalogue the running system uses (the services are built but never connected: generating
 * the documents touches no database, broker or HSM).
 */
export async function generateApiDocuments(): Promise<{ openapi: unknown; asyncapi: unknown }> {
  const logger = createLogger('api-docs', 'silent');
  const identityPublicKey = generateKeyPairSync('ec', { namedCurve: 'P-256' })
    .publicKey.export({ type: 'spki', format: 'pem' })
    .toString();
  const pool = createPool('postgres://unused@127.0.0.1:1/unused');
  const blobDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vanthu-docs-'));
  const apps: [string, ServiceApp][] = [
    [
      'documents',
      await buildDocuments({
        logger,
        pool,
        blobs: new BlobStore(blobDir),
        identityPublicKey,
        topicPrefix: '',
        maxUploadBytes: 1,
      }),
    ],
    [
      'signing',
      await buildSigning({
        logger,
        identityPublicKey,
        hsm: new HsmConnection({ modulePath: '', tokenLabel: '', pin: '' }),
      }),
    ],
    ['routing', await buildRouting({ logger, pool, identityPublicKey })],
    ['reporting', await buildReporting({ logger, pool, identityPublicKey, consumer: 'reporting' })],
    ['exchange', await buildExchange({ logger, pool, identityPublicKey, messages: new BlobStore(blobDir) })],
    ['notifications', await buildNotifications({ logger, pool, identityPublicKey })],
  ];
  try {
    const documents = [];
    for (const [service, app] of apps) {
      await app.ready();
      documents.push({ service, document: openApiDocumentOf(app) as never });
    }
    return { openapi: composeOpenApi(documents, apiVersion), asyncapi: buildAsyncApiDocument(apiVersion) };
  } finally {
    for (const [, app] of apps) await app.close();
    await pool.end();
    fs.rmSync(blobDir, { recursive: true, force: true });
  }
}

export const serialise = (document: unknown): string => `${JSON.stringify(document, null, 2)}\n`;

/** The typed client's types (`@vanthu/client`), generated from the OpenAPI document. */
export const clientSchemaFile = path.join(repoRoot, 'packages', 'client', 'src', 'generated', 'openapi.ts');

/**
 * Runs openapi-typescript (the kept generator, through its CLI: it is an ES module and the jest tier loads
 * CommonJS) on an OpenAPI file and returns the TypeScript it prints.
 */
export function generateClientSchema(openapiFile: string): string {
  return execFileSync(path.join(repoRoot, 'node_modules', '.bin', 'openapi-typescript'), [openapiFile], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    maxBuffer: 64 * 1024 * 1024,
  });
}

/** The API reference page integrators read (Redoc), built from the OpenAPI document and committed beside it. */
export const referencePageFile = path.join(repoRoot, 'docs', 'reference.html');

/**
 * Builds the Redoc reference page of an OpenAPI file with Redocly CLI's build-docs (the kept generator): one HTML
 * file with Redoc's scripts inlined, so it opens offline; the same document always gives the same bytes.
 */
export function generateReferencePage(openapiFile: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vanthu-reference-'));
  try {
    const out = path.join(dir, 'reference.html');
    const result = spawnSync(
      redoclyBin,
      ['build-docs', openapiFile, '--inlineBundle', '--title', 'vanthu API reference', '--output', out],
      { cwd: repoRoot, encoding: 'utf8', env: redoclyEnv(), maxBuffer: 16 * 1024 * 1024 },
    );
    if (result.status !== 0) throw new Error(`redocly build-docs failed: ${result.stdout}${result.stderr}`);
    return fs.readFileSync(out, 'utf8');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export async function writeApiDocuments(): Promise<string[]> {
  const { openapi, asyncapi } = await generateApiDocuments();
  fs.mkdirSync(apiDocsDir, { recursive: true });
  const written = [path.join(apiDocsDir, 'openapi.json'), path.join(apiDocsDir, 'asyncapi.json')];
  fs.writeFileSync(written[0] as string, serialise(openapi));
  fs.writeFileSync(written[1] as string, serialise(asyncapi));
  fs.mkdirSync(path.dirname(clientSchemaFile), { recursive: true });
  fs.writeFileSync(clientSchemaFile, generateClientSchema(written[0] as string));
  written.push(clientSchemaFile);
  fs.writeFileSync(referencePageFile, generateReferencePage(written[0] as string));
  written.push(referencePageFile);
  return written;
}

/** The documents of the last release: what integrators built against, and what the breaking-change gate compares with. */
export const releasedDocsDir = path.join(apiDocsDir, 'released');
export const apiDocumentNames = ['openapi.json', 'asyncapi.json'] as const;

const redoclyBin = path.join(repoRoot, 'node_modules', '.bin', 'redocly');
// Redocly CLI prints update notices and announcements unless told not to; no telemetry leaves a test run.
const redoclyEnv = (): NodeJS.ProcessEnv => ({
  ...process.env,
  REDOCLY_SUPPRESS_NOTIFICATIONS: 'true',
  REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true',
  REDOCLY_TELEMETRY: 'off',
});

/** Lints an OpenAPI document with the rules of docs/redocly.yaml (and its ignore file); the linter's report and exit code. */
export function lintOpenApi(file = path.join(apiDocsDir, 'openapi.json')): { ok: boolean; report: string } {
  const result = spawnSync(
    redoclyBin,
    ['lint', file, '--config', path.join(apiDocsDir, 'redocly.yaml'), '--format=stylish', '--max-problems=200'],
    { cwd: repoRoot, encoding: 'utf8', env: redoclyEnv(), maxBuffer: 16 * 1024 * 1024 },
  );
  return { ok: result.status === 0, report: `${result.stdout}${result.stderr}` };
}

export type ApiChange = { impact: 'major' | 'minor' | 'patch'; where: string; message: string };
export type CompatibilityVerdict = {
  released: string;
  current: string;
  releasedVersion: string;
  currentVersion: string;
  changes: ApiChange[];
  breaking: number;
  /** False when a change is breaking and the major version did not go up. */
  ok: boolean;
};

type RedoclyDiffReport = {
  infoVersions: { base: string; revision: string };
  changes: {
    path: string;
    impact: ApiChange['impact'];
    verdicts?: { message: string; impact: ApiChange['impact'] }[];
  }[];
};

const majorOf = (version: string): number => {
  const match = /^(\d+)\.\d+\.\d+/.exec(version);
  if (!match) throw new Error(`info.version "${version}" is not a semantic version`);
  return Number(match[1]);
};

/**
 * Compares an API document with its released copy using Redocly's `diff` (which rates every change of an OpenAPI or
 * AsyncAPI document as major, minor or patch by what it does to a client: a response property removed is major, an
 * optional one added is minor). A major change passes only when the current document's major version is above the
 * released one's (README.md, "For integrators").
 */
export function checkCompatibility(released: string, current: string): CompatibilityVerdict {
  const result = spawnSync(redoclyBin, ['diff', released, current, '--format=json', '--fail-on=none'], {
    cwd: repoRoot,
    encoding: 'utf8',
    env: redoclyEnv(),
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.status !== 0) throw new Error(`redocly diff ${released} ${current} failed: ${result.stderr}`);
  const report = JSON.parse(result.stdout) as RedoclyDiffReport;
  const changes = report.changes.flatMap((change) =>
    (change.verdicts?.length ? change.verdicts : [{ message: change.path, impact: change.impact }]).map((verdict) => ({
      impact: verdict.impact,
      where: decodeURIComponent(change.path),
      message: verdict.message,
    })),
  );
  const breaking = changes.filter((change) => change.impact === 'major').length;
  const { base: releasedVersion, revision: currentVersion } = report.infoVersions;
  return {
    released,
    current,
    releasedVersion,
    currentVersion,
    changes,
    breaking,
    ok: breaking === 0 || majorOf(currentVersion) > majorOf(releasedVersion),
  };
}

/** The gate over both documents: docs/openapi.json and docs/asyncapi.json against docs/released/. */
export function checkApiCompatibility(): CompatibilityVerdict[] {
  return apiDocumentNames.map((name) =>
    checkCompatibility(path.join(releasedDocsDir, name), path.join(apiDocsDir, name)),
  );
}

/** Records the current documents as the released ones (`npm run docs:release`, at a release: see CHANGELOG.md). */
export function releaseApiDocuments(): string[] {
  fs.mkdirSync(releasedDocsDir, { recursive: true });
  return apiDocumentNames.map((name) => {
    const target = path.join(releasedDocsDir, name);
    fs.copyFileSync(path.join(apiDocsDir, name), target);
    return target;
  });
}
