// Installs dependencies exactly as package-lock.json records them (npm ci semantics), and only when the
// lockfile changed since the last install: `npm ci` fails on drift between package.json and the lockfile
// instead of rewriting it, so what runs here is what was committed. Plain Node on purpose: it runs before
// any dependency (tsx included) exists.
import { createHash } from 'node:crypto';
import process from 'node:process';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const lockfile = path.join(root, 'package-lock.json');
const stamp = path.join(root, 'node_modules', '.vanthu-lockfile-sha256');
const digest = createHash('sha256').update(fs.readFileSync(lockfile)).digest('hex');

if (fs.existsSync(stamp) && fs.readFileSync(stamp, 'utf8').trim() === digest) process.exit(0);

process.stdout.write('installing dependencies from package-lock.json (npm ci)\n');
execFileSync('npm', ['ci', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: root, stdio: 'inherit' });
fs.writeFileSync(stamp, `${digest}\n`);
