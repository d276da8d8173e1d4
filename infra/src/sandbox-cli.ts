import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { seedSandbox } from './sandbox';
import { infrastructureFile } from './stack';
import type { Infrastructure } from './stack';
import { dataPath, repoRoot } from './paths';
import { defaultPorts } from './services';

// `npm run sandbox [-- --gateway http://127.0.0.1:3000 --out DIR]`, beside a running `npm start`.
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      gateway: { type: 'string', default: `http://127.0.0.1:${defaultPorts.gateway}` },
      out: { type: 'string', default: dataPath('sandbox') },
    },
  });
  const gatewayUrl = values.gateway as string;
  const outDir = path.resolve(values.out as string);
  if (!fs.existsSync(infrastructureFile())) {
    process.stderr.write('the stack is not set up: run `npm start` first, then `npm run sandbox` in another shell\n');
    process.exit(1);
  }
  const healthy = await fetch(`${gatewayUrl}/health`, { signal: AbortSignal.timeout(3_000) })
    .then((r) => r.ok)
    .catch(() => false);
  if (!healthy) {
    process.stderr.write(`no vanthu gateway answers at ${gatewayUrl}: run \`npm start\` first\n`);
    process.exit(1);
  }
  const infra = JSON.parse(fs.readFileSync(infrastructureFile(), 'utf8')) as Infrastructure;
  process.stdout.write(`vanthu sandbox: seeding ${gatewayUrl} (idempotent)\n`);
  const manifest = await seedSandbox({ gatewayUrl, infra, outDir, say: (line) => process.stdout.write(`${line}\n`) });
  const out = (line = ''): boolean => process.stdout.write(`${line}\n`);
  out(
    manifest.created.length === 0 ? '  (already seeded: nothing changed)' : `  added ${manifest.created.length} items`,
  );
  out();
  out(`Province: ${manifest.province}`);
  for (const a of manifest.agencies) out(`  ${a.code}  ${a.name}`);
  out();
  out('Organisation seals (key pairs in the HSM, generated through POST /v1/signing-keys):');
  for (const s of manifest.seals)
    out(`  ${s.agencyCode}  key ${s.keyIdHex}  certificate ${path.relative(repoRoot, s.certPath)}`);
  out();
  out('Documents:');
  for (const d of manifest.documents)
    out(`  ${d.stage.padEnd(9)} ${d.status.padEnd(10)} v${d.version}  ${d.id}  ${d.subject}`);
  out();
  out('Tokens (valid 8 h; export one and call the API with it):');
  for (const l of manifest.logins) {
    out(
      `  ${l.role.padEnd(18)} ${l.name} (${l.user}, ${l.agency}${l.keyPath ? `, key ${path.relative(repoRoot, l.keyPath)}` : ''})`,
    );
    out(`    export TOKEN_${l.role.toUpperCase().replace(/-/g, '_')}=${l.token}`);
  }
  out();
  out(`Everything above is in ${path.relative(repoRoot, path.join(outDir, 'sandbox.json'))}.`);
  out('Your first công văn with @vanthu/client (upload, approve with a token signature, register, seal, issue):');
  out(`  npx tsx infra/src/sandbox-walkthrough.ts ${path.relative(repoRoot, path.join(outDir, 'sandbox.json'))}`);
  out('The whole outgoing process (two initials and the approval, each with its signer’s key) and receiving from the');
  out(
    `hub: docs/guides/outgoing-with-token-signing.md and receiving-from-the-hub.md, with VANTHU_SANDBOX=${path.relative(repoRoot, path.join(outDir, 'sandbox.json'))}`,
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`vanthu sandbox: ${(error as Error).message}\n`);
  process.exit(1);
});
