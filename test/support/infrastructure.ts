import fs from 'node:fs';
import path from 'node:path';
import type { Infrastructure } from '../../infra/src/stack';

/** The running infrastructure set up by `npm test` (tsx infra/src/cli.ts test). */
export function loadInfrastructure(): Infrastructure {
  const file = process.env.VANTHU_INFRASTRUCTURE ?? path.resolve(__dirname, '..', '..', '.data', 'infrastructure.json');
  if (!fs.existsSync(file))
    throw new Error(`no ${file}: run the tests through \`npm test\`, which starts the infrastructure`);
  return JSON.parse(fs.readFileSync(file, 'utf8')) as Infrastructure;
}
