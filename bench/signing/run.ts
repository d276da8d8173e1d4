// Signing benchmark (issue 4). One run, one input, one key: the raw PKCS#11 C_Sign rate is the
// baseline every other figure is a ratio of. Usage (after `npx tsc -b tsconfig.build.json`, with
// the infrastructure up): npx tsx bench/signing/run.ts [--seconds 5] [--skip-gateway] [--skip-large]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import * as pkcs11js from 'pkcs11js';
import { PdfReader } from '@vanthu/pdf';
import { SignPdf } from '@signpdf/signpdf';
import { plainAddPlaceholder } from '@signpdf/placeholder-plain';
import { P12Signer } from '@signpdf/signer-p12';
import { SUBFILTER_ETSI_CADES_DETACHED } from '@signpdf/utils';
import { HsmConnection, readPin } from '../../services/signing/src/hsm/hsm-connection';
import { signPdf } from '../../services/signing/src/pades/pades-engine';
import { hsmSigner, softwareSigner } from '../../services/signing/src/pades/signer';
import { makeCongVan } from '../../services/signing/test/fixtures/cong-van';
import { loadInfrastructure } from '../../test/support/infrastructure';
import { signaturesThroughGateway } from './through-gateway';
import { writeLargePdf } from './make-large-pdf';
import { pemToDers, toCert } from '../../services/signing/src/x509/certificate';

const args = process.argv.slice(2);
const seconds = Number(args[args.indexOf('--seconds') + 1] ?? 5) || 5;
const infra = loadInfrastructure();
process.env.SOFTHSM2_CONF ??= infra.hsm.confPath;
const seal = infra.hsm.seals[0] as { keyIdHex: string; certPath: string };
const pool = pemToDers(fs.readFileSync(infra.pki.chainPem, 'utf8')).map(toCert);
const settings = { tsa: { urls: [infra.tsaUrl], timeoutMs: 10_000 }, certificatePool: pool, revocationTimeoutMs: 5000 };

/** Runs `op` with `concurrency` workers for `seconds`; returns operations per second. */
async function rate(
  op: () => Promise<unknown>,
  concurrency: number,
  duration = seconds,
): Promise<{ opsPerSecond: number; count: number }> {
  const end = performance.now() + duration * 1000;
  let count = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < end) {
        await op();
        count += 1;
      }
    }),
  );
  return { opsPerSecond: count / ((performance.now() - started) / 1000), count };
}

function rawPkcs11Rate(data: Buffer): { opsPerSecond: number; count: number } {
  // The baseline: C_SignInit + C_Sign on one session in a tight loop, no PDF, no CMS.
  const p = new pkcs11js.PKCS11();
  p.load(infra.hsm.modulePath);
  p.C_Initialize({ flags: pkcs11js.CKF_OS_LOCKING_OK });
  try {
    const slot = p
      .C_GetSlotList(true)
      .find((s) => p.C_GetTokenInfo(s).label.trim() === infra.hsm.tokenLabel) as pkcs11js.Handle;
    const session = p.C_OpenSession(slot, pkcs11js.CKF_SERIAL_SESSION | pkcs11js.CKF_RW_SESSION);
    p.C_Login(session, pkcs11js.CKU_USER, readPin(infra.hsm.pinFile));
    p.C_FindObjectsInit(session, [
      { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_PRIVATE_KEY },
      { type: pkcs11js.CKA_ID, value: Buffer.from(seal.keyIdHex, 'hex') },
    ]);
    const key = p.C_FindObjects(session) as pkcs11js.Handle;
    p.C_FindObjectsFinal(session);
    const out = Buffer.alloc(512);
    let count = 0;
    const started = performance.now();
    const end = started + seconds * 1000;
    while (performance.now() < end) {
      p.C_SignInit(session, { mechanism: pkcs11js.CKM_SHA256_RSA_PKCS }, key);
      p.C_Sign(session, data, out);
      count += 1;
    }
    const result = { opsPerSecond: count / ((performance.now() - started) / 1000), count };
    p.C_Logout(session);
    p.C_CloseSession(session);
    return result;
  } finally {
    p.C_Finalize();
    p.close();
  }
}

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-signing-'));
  const input = await makeCongVan({ pages: 3, padToBytes: 200 * 1024 });
  fs.writeFileSync(path.join(dir, 'cong-van.pdf'), input);
  const results: Record<string, unknown> = {
    date: new Date().toISOString(),
    machine: `${os.cpus()[0]?.model ?? 'cpu'} × ${os.cpus().length}, ${Math.round(os.totalmem() / 2 ** 30)} GB, Node ${process.version}`,
    inputBytes: input.length,
    seconds,
  };

  const raw = rawPkcs11Rate(Buffer.alloc(150, 1));
  results.rawPkcs11 = raw;

  const hsm = new HsmConnection({
    modulePath: infra.hsm.modulePath,
    tokenLabel: infra.hsm.tokenLabel,
    pin: readPin(infra.hsm.pinFile),
    poolSize: 4,
  });
  hsm.open();
  const signer = hsmSigner(
    hsm,
    seal.keyIdHex,
    toCert(pemToDers(fs.readFileSync(seal.certPath, 'utf8'))[0] as Buffer),
    pool.slice(0, 1),
    'rsa-pkcs1',
    'sha256',
  );
  const ours = async (): Promise<void> => {
    const reader = PdfReader.fromBuffer(input);
    const appended = await signPdf(reader, signer, {}, 'B-B', settings);
    if (appended.length < 1000) throw new Error('no signature');
  };
  await ours();
  results.domainSequential = await rate(ours, 1);
  results.domainConcurrent4 = await rate(ours, 4);

  // The other library: @signpdf with the plain placeholder and a P12 signer (node-forge), same input.
  const person = infra.pki.persons['nguyen-van-an'];
  if (!person) throw new Error('no test person');
  const p12 = fs.readFileSync(person.p12Path);
  const signpdf = new SignPdf();
  const theirs = async (): Promise<void> => {
    const withPlaceholder = plainAddPlaceholder({
      pdfBuffer: input,
      reason: 'bench',
      contactInfo: '',
      name: 'bench',
      location: '',
      subFilter: SUBFILTER_ETSI_CADES_DETACHED,
      signatureLength: 8192,
    });
    const out = await signpdf.sign(withPlaceholder, new P12Signer(p12, { passphrase: '123456' }));
    if (out.length <= input.length) throw new Error('no signature');
  };
  await theirs();
  fs.writeFileSync(
    path.join(dir, 'signpdf.pdf'),
    await signpdf.sign(
      plainAddPlaceholder({
        pdfBuffer: input,
        reason: 'bench',
        contactInfo: '',
        name: 'bench',
        location: '',
        subFilter: SUBFILTER_ETSI_CADES_DETACHED,
        signatureLength: 8192,
      }),
      new P12Signer(p12, { passphrase: '123456' }),
    ),
  );
  results.signpdfSequential = await rate(theirs, 1);
  // Ours with the same kind of key in memory (software RSA), so the libraries compare without the HSM.
  const soft = softwareSigner(
    fs.readFileSync(person.keyPath, 'utf8'),
    toCert(pemToDers(fs.readFileSync(person.certPath, 'utf8'))[0] as Buffer),
    pool.slice(0, 1),
    'rsa-pkcs1',
    'sha256',
  );
  results.domainSoftwareKeySequential = await rate(async () => {
    await signPdf(PdfReader.fromBuffer(input), soft, {}, 'B-B', settings);
  }, 1);
  hsm.close();
  let signpdfCheck = '';
  try {
    signpdfCheck = execFileSync('pdfsig', [path.join(dir, 'signpdf.pdf')], { encoding: 'utf8' });
  } catch (error) {
    signpdfCheck = String((error as { stdout?: string }).stdout ?? '');
  }
  results.signpdfOutputValidByPdfsig = /Signature is Valid/.test(signpdfCheck);

  if (!args.includes('--skip-gateway')) {
    const agencyCode = infra.hsm.seals[0]?.agencyCode as string;
    const viaGateway = await signaturesThroughGateway({
      input,
      agencyCode,
      seconds: Math.min(seconds, 10),
      concurrency: 4,
      expectedPerSecond: 40,
    });
    results.gatewayConcurrent4 = { opsPerSecond: viaGateway.opsPerSecond, count: viaGateway.count };
    results.gatewayCpuMsPerSignature = viaGateway.cpuMsPerSignature;
    results.gatewayLoadAverage = viaGateway.loadAverage;
  }

  if (!args.includes('--skip-large')) {
    const large = path.join(dir, 'large.pdf');
    await writeLargePdf(large, 200 * 1024 * 1024);
    const out = execFileSync(
      'npx',
      ['tsx', path.join(__dirname, 'sign-large.ts'), large, path.join(dir, 'large-signed.pdf')],
      { encoding: 'utf8', env: process.env },
    );
    const large_ = JSON.parse(out.slice(out.indexOf('{'))) as { ms: number; maxRssMb: number; inputMb: number };
    let largeValid = '';
    try {
      largeValid = execFileSync('pdfsig', [path.join(dir, 'large-signed.pdf')], { encoding: 'utf8' });
    } catch (error) {
      largeValid = String((error as { stdout?: string }).stdout ?? '');
    }
    results.large = {
      ...large_,
      validByPdfsig: /Signature is Valid/.test(largeValid) && /Total document signed/.test(largeValid),
    };
  }
  fs.rmSync(dir, { recursive: true, force: true });

  const r = results as Record<string, { opsPerSecond: number } | undefined> & {
    large?: { maxRssMb: number; ms: number; inputMb: number; validByPdfsig: boolean };
  };
  const ratio = (a?: { opsPerSecond: number }, b?: { opsPerSecond: number }): string =>
    a && b ? (a.opsPerSecond / b.opsPerSecond).toFixed(2) : 'n/a';
  const f = (x?: { opsPerSecond: number }): string => (x ? x.opsPerSecond.toFixed(1) : 'not run');
  const md = `# Signing benchmark results

Generated by \`npx tsx bench/signing/run.ts\` on ${String(results.date)} (${String(results.machine)}).
Input: a 3-page Vietnamese công văn of ${input.length} bytes; key: the SoftHSM2 RSA-2048 seal \`${seal.keyIdHex}\`; ${seconds} s per measurement.

| measurement | ops/s | ratio to raw C_Sign |
|---|---|---|
| raw PKCS#11 \`C_SignInit\`+\`C_Sign\`, one session (baseline) | ${f(r.rawPkcs11)} | 1.00 |
| our B-B seal signing, domain function, sequential | ${f(r.domainSequential)} | ${ratio(r.domainSequential, r.rawPkcs11)} |
| our B-B seal signing, domain function, 4 concurrent (session pool of 4) | ${f(r.domainConcurrent4)} | ${ratio(r.domainConcurrent4, r.rawPkcs11)} |
| our B-B signing through the gateway (attachment appearance, documents round trips), 4 concurrent | ${f(r.gatewayConcurrent4)} | ${ratio(r.gatewayConcurrent4, r.rawPkcs11)} |
| @signpdf/signpdf 3 + placeholder-plain + signer-p12 (software key), sequential | ${f(r.signpdfSequential)} | ${ratio(r.signpdfSequential, r.rawPkcs11)} |
| our domain function with a software key (same key type as @signpdf), sequential | ${f(r.domainSoftwareKeySequential)} | ${ratio(r.domainSoftwareKeySequential, r.rawPkcs11)} |

Goals: domain-level signing ≥ 25 % of raw C_Sign → **${r.domainSequential && r.rawPkcs11 && r.domainSequential.opsPerSecond >= 0.25 * r.rawPkcs11.opsPerSecond ? 'met' : 'not met'}** (sequential ${ratio(r.domainSequential, r.rawPkcs11)});
faster than the other library → **${r.domainSoftwareKeySequential && r.signpdfSequential && r.domainSoftwareKeySequential.opsPerSecond > r.signpdfSequential.opsPerSecond ? 'met' : 'not met'}** (same key type: ${ratio(r.domainSoftwareKeySequential, r.signpdfSequential)}×; HSM path vs @signpdf: ${ratio(r.domainSequential, r.signpdfSequential)}×).
@signpdf's output valid by pdfsig: ${String(results.signpdfOutputValidByPdfsig)}.
Signing through the gateway ≥ 25 % of the domain function's 4-concurrent rate (issue 16 item 1) → **${r.gatewayConcurrent4 && r.domainConcurrent4 && r.gatewayConcurrent4.opsPerSecond >= 0.25 * r.domainConcurrent4.opsPerSecond ? 'met' : 'not met'}** (${ratio(r.gatewayConcurrent4, r.domainConcurrent4)}); the gateway's per-user rate limit is lifted for that run (bench/signing/through-gateway.ts). CPU per signature through the gateway, by process (ms): ${
    results.gatewayCpuMsPerSignature
      ? Object.entries(results.gatewayCpuMsPerSignature as Record<string, number>)
          .map(([name, ms]) => `${name} ${ms.toFixed(1)}`)
          .join(', ')
      : 'not run'
  }; load average during the run ${results.gatewayLoadAverage ? (results.gatewayLoadAverage as number[]).map((l) => l.toFixed(1)).join(' / ') : 'n/a'}.

Large file: ${r.large ? `${r.large.inputMb.toFixed(0)} MB signed at B-B in ${(r.large.ms / 1000).toFixed(1)} s with peak RSS ${r.large.maxRssMb.toFixed(0)} MB (goal < 300 MB: **${r.large.maxRssMb < 300 ? 'met' : 'not met'}**), valid and covering the whole file by pdfsig: ${String(r.large.validByPdfsig)}` : 'not run'}.

Raw numbers: [results.json](results.json).
`;
  fs.writeFileSync(path.join(__dirname, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
  fs.writeFileSync(path.join(__dirname, 'results.md'), md);
  process.stdout.write(md);
}

void main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
