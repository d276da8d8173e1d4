import fs from 'node:fs';
import { buildHubSandbox } from './sandbox-app';
import type { SandboxAgency, SandboxLgspLogin } from './sandbox-app';

// `npm run hub:sandbox`: HUB_SANDBOX_PORT (default 3190), HUB_SANDBOX_HOST (127.0.0.1) and
// HUB_SANDBOX_AGENCIES_FILE, a JSON array [{code, name, systemId, secret, parentCode?}]; optionally
// HUB_SANDBOX_LGSP_LOGINS_FILE, a JSON array [{username, password, applicationCode}]: the LGSP routes then
// want the Bearer token of POST /v1/auth/login; HUB_SANDBOX_DATA_DIR, a directory where the messages are kept
// so that they survive a restart (without it they live in memory only).
async function main(): Promise<void> {
  const file = process.env.HUB_SANDBOX_AGENCIES_FILE;
  if (!file) {
    process.stderr.write('hub-sandbox: set HUB_SANDBOX_AGENCIES_FILE to a JSON array of agencies\n');
    process.exit(2);
  }
  const agencies = JSON.parse(fs.readFileSync(file, 'utf8')) as SandboxAgency[];
  const logins = process.env.HUB_SANDBOX_LGSP_LOGINS_FILE;
  const sandbox = await buildHubSandbox({
    agencies,
    ...(process.env.HUB_SANDBOX_DATA_DIR ? { dataDir: process.env.HUB_SANDBOX_DATA_DIR } : {}),
    ...(logins ? { lgspLogins: JSON.parse(fs.readFileSync(logins, 'utf8')) as SandboxLgspLogin[] } : {}),
  });
  const port = Number(process.env.HUB_SANDBOX_PORT ?? 3190);
  await sandbox.app.listen({ host: process.env.HUB_SANDBOX_HOST ?? '127.0.0.1', port });
  process.stdout.write(`hub-sandbox: VXP and LGSP protocols on port ${port} for ${agencies.length} agencies\n`);
  const stop = (): void => void sandbox.app.close().then(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

void main();
