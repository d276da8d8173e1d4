import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { infrastructureFile } from './stack';
import type { Infrastructure } from './stack';
import { signDevToken } from './token';

// `npm run token -- --user <id> --agency <code> --roles <r1,r2> [--unit KGVX] [--name "…"] [--ttl 3600]`
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      user: { type: 'string' },
      agency: { type: 'string' },
      roles: { type: 'string' },
      unit: { type: 'string' },
      name: { type: 'string' },
      ttl: { type: 'string', default: '3600' },
    },
  });
  if (!values.user || !values.agency || !values.roles) {
    process.stderr.write(
      'usage: npm run token -- --user <id> --agency <mã định danh, e.g. 000.00.31.H99> --roles <clerk,specialist,...> [--unit VP] [--name "Nguyễn Văn An"] [--ttl 3600]\n',
    );
    process.exit(2);
  }
  if (!fs.existsSync(infrastructureFile())) {
    process.stderr.write('the development issuer is not set up: run `npm start` (or `npm run stack:up`) first\n');
    process.exit(1);
  }
  const infra = JSON.parse(fs.readFileSync(infrastructureFile(), 'utf8')) as Infrastructure;
  const claims = {
    user: values.user,
    agency: values.agency,
    roles: values.roles
      .split(',')
      .map((r) => r.trim())
      .filter(Boolean),
    ttlSeconds: Number(values.ttl),
    issuer: infra.devJwt.issuer,
  };
  const token = await signDevToken(infra.devJwt.privateKeyPath, {
    ...claims,
    ...(values.unit ? { unit: values.unit } : {}),
    ...(values.name ? { name: values.name } : {}),
  });
  process.stdout.write(`${token}\n`);
}

void main();
