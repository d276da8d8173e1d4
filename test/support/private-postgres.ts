import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { serviceNames } from '../../infra/src/services';
import type { ServiceName } from '../../infra/src/services';
import { freePorts } from './free-port';

/**
 * A PostgreSQL cluster of the test's own (initdb into a temporary directory, its own port), so a fault test can
 * crash and restart it without disturbing the shared cluster at 127.0.0.1:5432 that every other test uses — the
 * same reason the Kafka-outage test runs a broker of its own (ARCHITECTURE.md "Testing").
 */
export type PrivatePostgres = {
  port: number;
  /** Each service's database in this cluster, as a DATABASE_URL for its process. */
  databaseUrls: Record<ServiceName, string>;
  /** The environment overrides that point every service of a test stack at this cluster. */
  stackEnv: Partial<Record<ServiceName, Record<string, string>>>;
  /** Stops the cluster: `immediate` is a crash (no checkpoint, recovery from the WAL at the next start). */
  stop: (mode?: 'immediate' | 'fast') => Promise<void>;
  start: () => Promise<void>;
  /** Stops it the way a crash would, waits `downMs`, and starts it again. */
  restart: (downMs: number) => Promise<void>;
  /** Stops the cluster and removes its directory. */
  close: () => Promise<void>;
};

function binDir(): string {
  const root = '/usr/lib/postgresql';
  const versions = fs.existsSync(root)
    ? fs
        .readdirSync(root)
        .filter((v) => fs.existsSync(path.join(root, v, 'bin', 'initdb')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (versions.length === 0) throw new Error(`no PostgreSQL server binaries under ${root} (initdb)`);
  return path.join(root, versions[0] as string, 'bin');
}

/** PostgreSQL refuses to run as root: as root, the cluster runs as the `postgres` user of the Debian package. */
function runAsOwner(command: string, args: string[]): string {
  const asRoot = process.getuid?.() === 0;
  const [file, argv] = asRoot ? ['runuser', ['-u', 'postgres', '--', command, ...args]] : [command, args];
  return execFileSync(file, argv, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 120_000 });
}

export async function startPrivatePostgres(label: string): Promise<PrivatePostgres> {
  const bin = binDir();
  const [port] = (await freePorts(1)) as [number];
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `vanthu-pg-${label}-`));
  const data = path.join(dir, 'data');
  const log = path.join(dir, 'postgres.log');
  if (process.getuid?.() === 0) {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    fs.chownSync(dir, uid, gid);
  }
  runAsOwner(path.join(bin, 'initdb'), ['-D', data, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--no-sync']);
  const options = [
    `-p ${port}`,
    '-c listen_addresses=127.0.0.1',
    `-c unix_socket_directories=${dir}`,
    '-c max_connections=300',
  ].join(' ');
  const start = async (): Promise<void> => {
    runAsOwner(path.join(bin, 'pg_ctl'), ['-D', data, '-l', log, '-o', options, '-w', '-t', '90', 'start']);
  };
  const stop = async (mode: 'immediate' | 'fast' = 'immediate'): Promise<void> => {
    runAsOwner(path.join(bin, 'pg_ctl'), ['-D', data, '-m', mode, '-w', '-t', '60', 'stop']);
  };
  const running = (): boolean => fs.existsSync(path.join(data, 'postmaster.pid'));
  await start();

  const databaseUrls = {} as Record<ServiceName, string>;
  const admin = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', database: 'postgres' });
  await admin.connect();
  try {
    for (const service of serviceNames) {
      const name = `vanthu_${service}`;
      await admin.query(`CREATE ROLE ${name} LOGIN`);
      await admin.query(`CREATE DATABASE ${name} OWNER ${name} ENCODING 'UTF8' TEMPLATE template0`);
      databaseUrls[service] = `postgres://${name}@127.0.0.1:${port}/${name}`;
    }
  } finally {
    await admin.end();
  }
  return {
    port,
    databaseUrls,
    stackEnv: Object.fromEntries(serviceNames.map((s) => [s, { DATABASE_URL: databaseUrls[s] }])),
    stop,
    start,
    restart: async (downMs) => {
      await stop('immediate');
      await new Promise((resolve) => setTimeout(resolve, downMs));
      await start();
    },
    close: async () => {
      if (running()) await stop('fast').catch(() => stop('immediate'));
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
