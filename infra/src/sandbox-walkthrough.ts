import fs from 'node:fs';
import path from 'node:path';
import { createVanthuClient, softwareSigner } from '@vanthu/client';
import { sandboxCongVan } from './sandbox';
import type { SandboxManifest } from './sandbox';
import { dataPath } from './paths';

// "Your first công văn" with @vanthu/client against the seeded sandbox (`npm run sandbox` first):
//   npx tsx infra/src/sandbox-walkthrough.ts [path/to/sandbox.json]
// The clerk uploads a draft, the Chairman approves it with his key (two-step signing: the key stays here), the
// clerk registers it (số, ký hiệu), seals it with the agency's HSM key and issues it.

export type WalkthroughResult = {
  documentId: string;
  status: string;
  number: string | null;
  signatures: { kind: string; signer: string | null }[];
};

export async function firstCongVan(
  manifest: SandboxManifest,
  say: (line: string) => void = () => undefined,
): Promise<WalkthroughResult> {
  const login = (role: string) => {
    const found = manifest.logins.find((l) => l.role === role);
    if (!found) throw new Error(`the sandbox has no ${role} login`);
    return found;
  };
  const clerk = createVanthuClient({ baseUrl: manifest.gatewayUrl, token: login('clerk').token });
  const chairman = login('agency-leader');
  const leader = createVanthuClient({ baseUrl: manifest.gatewayUrl, token: chairman.token });
  const register = manifest.registers.find((r) => r.direction === 'outgoing');
  if (!register) throw new Error('the sandbox has no outgoing register');

  const subject = `Về việc thử nghiệm công văn đầu tiên (${new Date().toISOString()})`;
  const draft = await clerk.uploadDocument(await sandboxCongVan(subject, chairman.name), {
    direction: 'outgoing',
    subject,
    typeCode: 'CV',
  });
  say(`1. uploaded draft ${draft.id}`);

  const signer = softwareSigner({
    privateKey: fs.readFileSync(chairman.keyPath as string),
    certificates: [fs.readFileSync(chairman.certPath as string)],
  });
  const [approval] = await leader.signWithToken({
    documents: [draft.id],
    kind: 'approval',
    level: 'B-T',
    authorityPrefix: 'TM.',
    positionText: 'CHỦ TỊCH',
    signer,
  });
  say(`2. approved by ${chairman.name}: ${approval?.results[0]?.outcome}`);

  const registration = await clerk.POST('/v1/documents/{id}/registration', {
    params: { path: { id: draft.id } },
    body: { registerId: register.id, unitCode: 'VP' },
  });
  say(`3. registered in ${register.name}: ${JSON.stringify(registration).slice(0, 120)}`);
  await clerk.POST('/v1/documents/{id}/signatures', {
    params: { path: { id: draft.id } },
    body: { kind: 'issue', level: 'B-T' } as never,
  });
  say('4. sealed with the agency key in the HSM');
  const issued = await clerk.POST('/v1/documents/{id}/issue', {
    params: { path: { id: draft.id } },
    body: {} as never,
  });
  say(`5. issued: ${issued.status}`);

  const document = await clerk.GET('/v1/documents/{id}', { params: { path: { id: draft.id } } });
  const signatures = await clerk.GET('/v1/documents/{id}/signatures', { params: { path: { id: draft.id } } });
  const reg = document.registration as { number?: string | number; notation?: string } | null;
  return {
    documentId: document.id,
    status: String(document.status),
    number: reg ? String(reg.number ?? '') : null,
    signatures: signatures.map((s) => ({ kind: s.kind, signer: s.signerUserId ?? null })),
  };
}

async function main(): Promise<void> {
  const file = path.resolve(process.argv[2] ?? dataPath('sandbox', 'sandbox.json'));
  if (!fs.existsSync(file)) {
    process.stderr.write(`no ${file}: run \`npm run sandbox\` first\n`);
    process.exit(1);
  }
  const result = await firstCongVan(JSON.parse(fs.readFileSync(file, 'utf8')) as SandboxManifest, (line) =>
    process.stdout.write(`${line}\n`),
  );
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
}

if (require.main === module) void main();
