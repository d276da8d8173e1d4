import { createHash } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import { run } from './exec';
import { serviceNames } from './services';
import type { ProcessName, ServiceName } from './services';

/**
 * Where a stack keeps what a backup must hold: each service's database, the documents blob store and exchange's
 * message store (the edXML sent and received, files named by their SHA-256 since issue 13; rows point at them).
 */
export type StackData = { databases: Record<ServiceName, string>; blobDir: string; messageDir: string };

export type BackupManifest = {
  format: 'vanthu-backup/1';
  createdAt: string;
  /** One custom-format `pg_dump` per service, with the SHA-256 of the file so a damaged backup is refused. */
  databases: Record<ServiceName, { file: string; sha256: string; sizeBytes: number }>;
  blobs: { count: number; sizeBytes: number };
  /** Exchange's message files; absent in backups made before messages moved out of PostgreSQL. */
  messages?: { count: number; sizeBytes: number };
};

const manifestName = 'manifest.json';

/** The databases and blob directory of a stack, from the environments `stackEnvironments` gives its processes. */
export function stackDataOf(envs: Record<ProcessName, Record<string, string>>): StackData {
  const databases = Object.fromEntries(
    serviceNames.map((service) => [service, requireSetting(envs[service], 'DATABASE_URL', service)]),
  ) as Record<ServiceName, string>;
  return {
    databases,
    blobDir: requireSetting(envs.documents, 'BLOB_DIR', 'documents'),
    messageDir: requireSetting(envs.exchange, 'MESSAGE_DIR', 'exchange'),
  };
}

/**
 * Writes a backup of a stack into `target` (which must not exist or be empty): every service's database, then the
 * blob files. The order is what makes the two consistent: a blob is fsynced before the transaction that records it
 * commits and a recorded blob is never removed, so every blob a dumped row names is in the store when the files are
 * copied afterwards. Each database is its own consistent snapshot (`pg_dump` runs in one repeatable-read
 * transaction); stop the writers first for a snapshot consistent across services (ARCHITECTURE.md, "Backup and
 * restore").
 */
export async function backupStack(
  stack: StackData,
  target: string,
  say: (line: string) => void = () => undefined,
): Promise<BackupManifest> {
  if (fs.existsSync(target) && fs.readdirSync(target).length > 0) {
    throw new Error(`backup target ${target} is not empty; give a new directory`);
  }
  await fsp.mkdir(path.join(target, 'databases'), { recursive: true });
  const databases = {} as BackupManifest['databases'];
  for (const service of serviceNames) {
    const file = path.join('databases', `${service}.dump`);
    const url = stack.databases[service];
    await run(
      'pg_dump',
      [...connectionArgs(url), '--format=custom', '--no-owner', '--no-privileges', `--file=${path.join(target, file)}`],
      { env: connectionEnv(url) },
    );
    const { sha256, sizeBytes } = await hashFile(path.join(target, file));
    databases[service] = { file, sha256, sizeBytes };
    say(`  ✓ ${service} database (${(sizeBytes / 1024).toFixed(0)} KiB)`);
  }
  const blobs = await copyBlobs(path.join(stack.blobDir, 'sha256'), path.join(target, 'blobs', 'sha256'));
  say(`  ✓ ${blobs.count} blob files (${(blobs.sizeBytes / 1024 / 1024).toFixed(1)} MiB)`);
  // Copied after the dumps for the same reason as the blobs: a message file is written before the row naming it.
  const messages = await copyBlobs(path.join(stack.messageDir, 'sha256'), path.join(target, 'messages', 'sha256'));
  say(`  ✓ ${messages.count} exchange message files (${(messages.sizeBytes / 1024 / 1024).toFixed(1)} MiB)`);
  const manifest: BackupManifest = {
    format: 'vanthu-backup/1',
    createdAt: new Date().toISOString(),
    databases,
    blobs,
    messages,
  };
  // The manifest is written last: a backup without one was interrupted, and restore refuses it.
  await fsp.writeFile(path.join(target, manifestName), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}

/**
 * Checks a backup before anything is restored from it: the manifest is there, every dump hashes to what it
 * recorded, and every blob file hashes to its name. Throws naming the first damaged file.
 */
export async function verifyBackup(source: string): Promise<BackupManifest> {
  const manifestPath = path.join(source, manifestName);
  if (!fs.existsSync(manifestPath)) {
    throw new Error(`${source} holds no ${manifestName}: not a vanthu backup, or one that was interrupted`);
  }
  const manifest = JSON.parse(await fsp.readFile(manifestPath, 'utf8')) as BackupManifest;
  if (manifest.format !== 'vanthu-backup/1') {
    throw new Error(`${manifestPath}: unknown format ${String(manifest.format)}`);
  }
  for (const service of serviceNames) {
    const entry = manifest.databases[service];
    if (!entry) throw new Error(`${manifestPath}: no dump of the ${service} database`);
    const { sha256 } = await hashFile(path.join(source, entry.file));
    if (sha256 !== entry.sha256) {
      throw new Error(`${entry.file} is damaged: it hashes to ${sha256}, not ${entry.sha256}`);
    }
  }
  let count = 0;
  for await (const file of blobFiles(path.join(source, 'blobs', 'sha256'))) {
    const { sha256 } = await hashFile(file);
    if (sha256 !== path.basename(file)) throw new Error(`blob ${file} is damaged: it hashes to ${sha256}`);
    count += 1;
  }
  if (count !== manifest.blobs.count) {
    throw new Error(`the backup holds ${count} blob files where its manifest records ${manifest.blobs.count}`);
  }
  let messages = 0;
  for await (const file of blobFiles(path.join(source, 'messages', 'sha256'))) {
    const { sha256 } = await hashFile(file);
    if (sha256 !== path.basename(file)) throw new Error(`message ${file} is damaged: it hashes to ${sha256}`);
    messages += 1;
  }
  if (messages !== (manifest.messages?.count ?? 0)) {
    throw new Error(
      `the backup holds ${messages} exchange message files where its manifest records ${manifest.messages?.count ?? 0}`,
    );
  }
  return manifest;
}

/**
 * Restores a verified backup into a stack whose databases exist but are empty and whose blob store holds no file
 * (a new machine, or a data directory wiped after a loss): refusing anything else means a restore never mixes with
 * live data. Afterwards every `blobs` row of documents is checked to have its file.
 */
export async function restoreStack(
  source: string,
  stack: StackData,
  say: (line: string) => void = () => undefined,
): Promise<BackupManifest> {
  const manifest = await verifyBackup(source);
  for (const service of serviceNames) {
    const tables = await publicTables(stack.databases[service]);
    if (tables > 0) {
      throw new Error(`the ${service} database already holds ${tables} tables; restore needs an empty database`);
    }
  }
  let existing = 0;
  for await (const file of blobFiles(path.join(stack.blobDir, 'sha256'))) if (file) existing += 1;
  for await (const file of blobFiles(path.join(stack.messageDir, 'sha256'))) if (file) existing += 1;
  if (existing > 0) {
    throw new Error(
      `the blob store ${stack.blobDir} or the message store ${stack.messageDir} already holds ${existing} files; restore needs empty ones`,
    );
  }
  for (const service of serviceNames) {
    const url = stack.databases[service];
    const dump = path.join(source, manifest.databases[service].file);
    await run(
      'pg_restore',
      [...connectionArgs(url), '--no-owner', '--no-privileges', '--exit-on-error', '--single-transaction', dump],
      { env: connectionEnv(url) },
    );
    say(`  ✓ ${service} database`);
  }
  const blobs = await copyBlobs(path.join(source, 'blobs', 'sha256'), path.join(stack.blobDir, 'sha256'));
  say(`  ✓ ${blobs.count} blob files`);
  const messages = await copyBlobs(path.join(source, 'messages', 'sha256'), path.join(stack.messageDir, 'sha256'));
  say(`  ✓ ${messages.count} exchange message files`);
  const missing = await recordedBlobsWithoutFile(stack);
  if (missing.length > 0) {
    throw new Error(`${missing.length} recorded blobs have no file after the restore (first: ${missing[0]})`);
  }
  return manifest;
}

function requireSetting(env: Record<string, string>, name: string, owner: string): string {
  const value = env[name];
  if (!value) throw new Error(`the ${owner} environment has no ${name}`);
  return value;
}

/** libpq arguments without the password, which goes through the environment so it never shows in an error. */
function connectionArgs(url: string): string[] {
  const parsed = new URL(url);
  return [
    `--host=${parsed.hostname}`,
    `--port=${parsed.port || '5432'}`,
    `--username=${decodeURIComponent(parsed.username)}`,
    `--dbname=${parsed.pathname.slice(1)}`,
  ];
}

function connectionEnv(url: string): NodeJS.ProcessEnv {
  return { ...process.env, PGPASSWORD: decodeURIComponent(new URL(url).password) };
}

async function withClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

const publicTables = (url: string): Promise<number> =>
  withClient(url, async (client) => {
    const { rows } = await client.query<{ count: string }>(
      "SELECT count(*) AS count FROM information_schema.tables WHERE table_schema = 'public'",
    );
    return Number(rows[0]?.count ?? 0);
  });

const recordedBlobsWithoutFile = (stack: StackData): Promise<string[]> =>
  withClient(stack.databases.documents, async (client) => {
    const { rows } = await client.query<{ sha256: string }>('SELECT sha256 FROM blobs ORDER BY sha256');
    const pathOf = (sha256: string) =>
      path.join(stack.blobDir, 'sha256', sha256.slice(0, 2), sha256.slice(2, 4), sha256);
    return rows.map((row) => row.sha256).filter((sha256) => !fs.existsSync(pathOf(sha256)));
  });

async function hashFile(file: string): Promise<{ sha256: string; sizeBytes: number }> {
  const hash = createHash('sha256');
  let sizeBytes = 0;
  for await (const chunk of fs.createReadStream(file)) {
    hash.update(chunk as Buffer);
    sizeBytes += (chunk as Buffer).length;
  }
  return { sha256: hash.digest('hex'), sizeBytes };
}

/** Every file of a content-addressed tree (`xx/yy/<sha256>`); nothing when the tree does not exist. */
async function* blobFiles(root: string): AsyncGenerator<string> {
  if (!fs.existsSync(root)) return;
  for (const first of (await fsp.readdir(root)).sort()) {
    for (const second of (await fsp.readdir(path.join(root, first))).sort()) {
      const folder = path.join(root, first, second);
      for (const name of (await fsp.readdir(folder)).sort()) {
        if (/^[0-9a-f]{64}$/.test(name)) yield path.join(folder, name);
      }
    }
  }
}

/** Copies a blob tree file by file, each fsynced and renamed into place, so a copy cut short holds whole files only. */
async function copyBlobs(from: string, to: string): Promise<{ count: number; sizeBytes: number }> {
  let count = 0;
  let sizeBytes = 0;
  for await (const file of blobFiles(from)) {
    const target = path.join(to, path.relative(from, file));
    await fsp.mkdir(path.dirname(target), { recursive: true });
    const partial = `${target}.part`;
    await fsp.copyFile(file, partial);
    const handle = await fsp.open(partial, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fsp.rename(partial, target);
    count += 1;
    sizeBytes += (await fsp.stat(target)).size;
  }
  return { count, sizeBytes };
}
