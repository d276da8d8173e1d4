// Validation benchmark (issue 5). Usage, with the infrastructure up (TSA, OCSP for the B-LT
// inputs): npx tsx bench/validation/run.ts [--seconds 5]
// One run measures a baseline — the cryptographic floor any validator pays for the same file
// (hash the signed bytes, verify each signature and certificate link with node:crypto) — and
// reports our rates as ratios of it, so the figures compare across machines.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createHash, verify as nodeVerify } from 'node:crypto';
import type { X509Certificate } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { PdfReader } from '@vanthu/pdf';
import { ensureDss } from '../../infra/src/dss';
import { infra } from '../../services/signing/test/support';
import { signatureFields } from '../../services/signing/src/validation/signature-fields';
import { clearCertificateCache } from '../../services/signing/src/x509/certificate';
import { clearRevocationCaches } from '../../services/signing/src/validation/revocation-check';
import { IsolatedValidator } from '../../services/signing/src/validation/isolated-validator';
import { validatePdf } from '../../services/signing/src/validation/validate-pdf';
import type { ValidationOptions } from '../../services/signing/src/validation/validate-pdf';
import { makeCongVan } from '../../services/signing/test/fixtures/cong-van';
import { signAs, testTrustStore } from '../../services/signing/test/fixtures/validation-support';
import { tagged } from '../../services/signing/test/fixtures/benign/housekeeping';
import { permittedFill } from '../../services/signing/test/fixtures/benign/generators';
import { DEFAULT_VISUAL } from '../../services/signing/src/validation/visual-check';

const args = process.argv.slice(2);
const seconds = Number(args[args.indexOf('--seconds') + 1] ?? 5) || 5;
const withDss = !args.includes('--no-dss');
const cores = os.availableParallelism();
const options: ValidationOptions = {
  trust: testTrustStore(),
  validationTime: new Date(),
  revocation: { mode: 'offline', timeoutMs: 5_000, cacheSeconds: 300 },
  modificationPolicy: 'indeterminate',
  sha1AcceptedUntil: null,
};

/**
 * CPU seconds used so far by this process and by the children it has waited for (the renderer,
 * pdftoppm, runs as a child: `process.cpuUsage()` alone would leave the visual check's cost out).
 * Linux /proc/self/stat fields 14–17 (utime, stime, cutime, cstime), in clock ticks.
 */
function cpuSeconds(): number {
  const fields = fs.readFileSync('/proc/self/stat', 'utf8').split(') ')[1]?.split(' ') ?? [];
  const ticks = [11, 12, 13, 14].reduce((n, i) => n + Number(fields[i] ?? 0), 0);
  const hz = 100; // USER_HZ on Linux
  return ticks / hz;
}

async function rate(
  op: () => Promise<unknown>,
  concurrency = 1,
): Promise<{ perSecond: number; count: number; perCpuSecond: number; perCpuSecondWithChildren: number }> {
  const cpu = process.cpuUsage();
  const withChildren = cpuSeconds();
  const started = performance.now();
  const end = started + seconds * 1000;
  let count = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < end) {
        await op();
        count += 1;
      }
    }),
  );
  const used = process.cpuUsage(cpu);
  // Validations per second of this process's CPU time: what one core does, less distorted by a loaded machine.
  return {
    perSecond: count / ((performance.now() - started) / 1000),
    count,
    perCpuSecond: count / ((used.user + used.system) / 1e6),
    perCpuSecondWithChildren: count / Math.max(0.01, cpuSeconds() - withChildren),
  };
}

/** The floor: digest of every signature's byte ranges, its RSA verification and each chain link. */
function cryptoFloor(bytes: Buffer): () => Promise<void> {
  const reader = PdfReader.fromBuffer(bytes);
  const jobs = signatureFields(reader).map((f) => ({ range: f.value.get('ByteRange') as number[] }));
  const certs = testTrustStore();
  const inter = certs.intermediates[0]?.x509 as X509Certificate;
  const root = certs.anchors[0]?.x509 as X509Certificate;
  // An RSA-2048 public-key operation costs the same whether the value verifies or not.
  const sig = Buffer.alloc(256, 1);
  const data = Buffer.alloc(100, 2);
  return async () => {
    for (const job of jobs) {
      const h = createHash('sha256');
      for (let i = 0; i + 1 < job.range.length; i += 2)
        h.update(bytes.subarray(job.range[i] as number, (job.range[i] as number) + (job.range[i + 1] as number)));
      h.digest();
      nodeVerify('sha256', data, inter.publicKey, sig);
      inter.verify(root.publicKey);
    }
  };
}

/**
 * EU DSS 6.2 (the jars of infra/dss/pom.xml) validating `file` offline in a warm JVM on one thread
 * (`bench/validation/dss/DssBench.java`), trusting the test root: its verdicts and its rate.
 */
async function dssRate(
  file: string,
): Promise<{ perSecond: number; perCpuSecond: number; verdicts: string[] } | { error: string }> {
  try {
    const lib = await ensureDss();
    const out = execFileSync(
      'java',
      [
        '-Xmx1g',
        '-XX:ActiveProcessorCount=1',
        '-cp',
        path.join(lib, '*'),
        path.join(__dirname, 'dss', 'DssBench.java'),
        file,
        infra.pki.rootCert,
        String(Math.max(5, seconds * 2)),
        String(seconds * 2),
      ],
      { encoding: 'utf8', timeout: 600_000, maxBuffer: 64 * 1024 * 1024, stdio: ['ignore', 'pipe', 'ignore'] },
    );
    const rate = /^RATE (\S+) \S+ (\S+)/m.exec(out);
    return {
      perSecond: Number(rate?.[1] ?? 0),
      perCpuSecond: Number(rate?.[2] ?? 0),
      verdicts: out
        .split('\n')
        .filter((l) => l.startsWith('SIGNATURE '))
        .map((l) => l.split(' ').slice(2).join('/')),
    };
  } catch (error) {
    return { error: (error as Error).message.split('\n')[0] ?? 'failed' };
  }
}

async function main(): Promise<void> {
  const loadAtStart = os.loadavg().map((l) => Math.round(l * 10) / 10);
  process.stdout.write('building inputs…\n');
  let small = await makeCongVan({ pages: 3, padToBytes: 200_000 });
  small = await signAs(small, 'nguyen-van-an', 'B-LT');
  small = await signAs(small, 'tran-thi-binh', 'B-LT');
  let large = await makeCongVan({ pages: 200 });
  const signers = ['nguyen-van-an', 'tran-thi-binh', 'le-hoang-cuong'];
  for (let i = 0; i < 10; i += 1)
    large = await signAs(large, signers[i % 3] as string, i === 9 ? 'B-LT' : 'B-B', {}, i % 2 === 0);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-validation-'));
  fs.writeFileSync(path.join(dir, 'small.pdf'), small);
  fs.writeFileSync(path.join(dir, 'large.pdf'), large);

  const smallReport = await validatePdf(small, options);
  if (smallReport.verdict !== 'TOTAL_PASSED')
    throw new Error(`the 2-signature input does not validate: ${smallReport.verdictReason}`);
  const largeOnline = { ...options, revocation: { mode: 'online' as const, timeoutMs: 5_000, cacheSeconds: 3_600 } };
  const warm = await validatePdf(large, largeOnline);
  if (warm.verdict !== 'TOTAL_PASSED')
    throw new Error(`the 10-signature input does not validate: ${warm.verdictReason}`);

  process.stdout.write('baseline (crypto floor)…\n');
  const floor = await rate(cryptoFloor(small));
  process.stdout.write('ours, in process, one core…\n');
  // Warm: certificates, CRLs and OCSP responses parsed before (as for a CA's documents arriving all day).
  const sums: Record<string, number> = {};
  const inProcess = await rate(async () => {
    const r = await validatePdf(small, options);
    for (const [k, v] of Object.entries(r.timings)) sums[k] = (sums[k] ?? 0) + v;
  });
  const smallBreakdown = Object.fromEntries(
    Object.entries(sums).map(([k, v]) => [k, Math.round((v / inProcess.count) * 100) / 100]),
  );
  // Cold: every certificate, OCSP response and CRL parsed and verified again each time.
  const cold = await rate(async () => {
    clearRevocationCaches();
    clearCertificateCache();
    await validatePdf(small, options);
  });
  // The visual check's cost where it runs: a later change (tagging) reaches page 1. The structural
  // pre-check finds the page drawn from the same inputs and renders nothing; without it both
  // revisions are rendered. A permitted fill changes what the page shows, so it is rendered.
  const taggedFile = await tagged('marked-content');
  // A B-B signature: revocation online, answered from the warm cache after the first run.
  const taggedOptions = { ...options, revocation: { mode: 'online' as const, timeoutMs: 5_000, cacheSeconds: 3_600 } };
  const taggedReport = await validatePdf(taggedFile, taggedOptions);
  if (taggedReport.verdict !== 'TOTAL_PASSED' || !taggedReport.signatures[0]?.visual?.unchangedPages?.includes(1))
    throw new Error(`the tagged input is not decided by the pre-check: ${taggedReport.verdictReason}`);
  const forced = { ...taggedOptions, visual: { ...DEFAULT_VISUAL, precheck: false } };
  if (!(await validatePdf(taggedFile, forced)).signatures[0]?.visual?.pages.includes(1))
    throw new Error('the tagged input is not rendered with the pre-check off');
  const prechecked = await rate(() => validatePdf(taggedFile, taggedOptions));
  const rendered = await rate(() => validatePdf(taggedFile, forced));
  const noRender = await rate(() => validatePdf(taggedFile, { ...taggedOptions, visual: false }));
  const filledFile = await permittedFill('certified');
  const filledReport = await validatePdf(filledFile, taggedOptions);
  if (filledReport.verdict !== 'TOTAL_PASSED' || !filledReport.signatures[0]?.visual?.pages.includes(1))
    throw new Error(`the filled input does not validate with a rendering: ${filledReport.verdictReason}`);
  const filled = await rate(() => validatePdf(filledFile, taggedOptions));

  process.stdout.write('EU DSS 6.2, warm JVM, one thread, same 2-signature file…\n');
  const dss = withDss ? await dssRate(path.join(dir, 'small.pdf')) : { error: 'not run (--no-dss)' };

  process.stdout.write(`ours, isolated workers (${cores})…\n`);
  const pool = new IsolatedValidator({
    workers: cores,
    parseTimeoutMs: 5_000,
    networkTimeoutMs: 15_000,
    maxHeapMb: 512,
  });
  await pool.validate(small, options);
  // Every answer is checked: a pool that answers "could not be read" fast is not fast.
  let pooledRefused = 0;
  const pooled = await rate(async () => {
    if ((await pool.validate(small, options)).verdict !== 'TOTAL_PASSED') pooledRefused += 1;
  }, cores * 2);
  await pool.close();

  process.stdout.write('10 signatures, 200 pages (warm revocation cache)…\n');
  const times: number[] = [];
  let breakdown: Record<string, number> = {};
  for (let i = 0; i < 10; i += 1) {
    const t = performance.now();
    const r = await validatePdf(large, largeOnline);
    times.push(performance.now() - t);
    breakdown = r.timings;
  }
  times.sort((a, b) => a - b);
  const pdfsigStart = performance.now();
  execFileSync('pdfsig', ['-nocert', path.join(dir, 'large.pdf')], { stdio: 'ignore' });
  const pdfsigMs = performance.now() - pdfsigStart;

  const results = {
    date: new Date().toISOString(),
    machine: {
      cores,
      cpu: os.cpus()[0]?.model ?? '',
      node: process.version,
      loadAverageAtStart: loadAtStart,
      loadAverage: os.loadavg().map((l) => Math.round(l * 10) / 10),
    },
    seconds,
    inputs: {
      small: { bytes: small.length, signatures: 2, level: 'B-LT' },
      large: { bytes: large.length, pages: 200, signatures: 10 },
    },
    baseline: {
      name: 'crypto floor (digests + signature and chain verifications only)',
      perSecond: Math.round(floor.perSecond),
      perCpuSecond: Math.round(floor.perCpuSecond),
    },
    small: {
      inProcessPerSecond: Math.round(inProcess.perSecond),
      inProcessColdPerSecond: Math.round(cold.perSecond),
      inProcessPerCpuSecond: Math.round(inProcess.perCpuSecond),
      inProcessColdPerCpuSecond: Math.round(cold.perCpuSecond),
      isolatedPerSecond: Math.round(pooled.perSecond),
      isolatedPerSecondPerCore: Math.round(pooled.perSecond / cores),
      isolatedPerCpuSecond: Math.round(pooled.perCpuSecond),
      isolatedNotPassed: pooledRefused,
      isolatedCount: pooled.count,
      ratioToBaseline: Math.round((inProcess.perSecond / floor.perSecond) * 1000) / 1000,
      cpuRatioToBaseline: Math.round((inProcess.perCpuSecond / floor.perCpuSecond) * 1000) / 1000,
      coldCpuRatioToBaseline: Math.round((cold.perCpuSecond / floor.perCpuSecond) * 1000) / 1000,
      breakdownMs: smallBreakdown,
      goalPerSecondPerCore: 50,
      goalColdPerSecondPerCore: 100,
    },
    visual: {
      input: '1 signature, then tagging (structure tree and marked content) reaching page 1',
      precheckedPerSecond: Math.round(prechecked.perSecond * 10) / 10,
      precheckedPerCpuSecond: Math.round(prechecked.perCpuSecondWithChildren * 10) / 10,
      filledInput: '1 signature (DocMDP P2), then a permitted fill rewriting the field appearance on page 1',
      filledRenderedPerSecond: Math.round(filled.perSecond * 10) / 10,
      filledRenderedPerCpuSecond: Math.round(filled.perCpuSecondWithChildren * 10) / 10,
      withRenderingPerSecond: Math.round(rendered.perSecond * 10) / 10,
      withoutRenderingPerSecond: Math.round(noRender.perSecond * 10) / 10,
      // Per CPU-second of this process and its renderers: what one free core would do.
      withRenderingPerCpuSecond: Math.round(rendered.perCpuSecondWithChildren * 10) / 10,
      withoutRenderingPerCpuSecond: Math.round(noRender.perCpuSecondWithChildren * 10) / 10,
    },
    dss:
      'error' in dss
        ? { error: dss.error }
        : {
            perSecond: Math.round(dss.perSecond * 10) / 10,
            perCpuSecond: Math.round(dss.perCpuSecond * 10) / 10,
            oursWarmCpuRatio: Math.round((inProcess.perCpuSecond / dss.perCpuSecond) * 10) / 10,
            oursColdCpuRatio: Math.round((cold.perCpuSecond / dss.perCpuSecond) * 10) / 10,
            verdicts: dss.verdicts,
            oursWarmRatio: Math.round((inProcess.perSecond / dss.perSecond) * 10) / 10,
            oursColdRatio: Math.round((cold.perSecond / dss.perSecond) * 10) / 10,
            goalRatio: 5,
          },
    large: {
      medianMs: Math.round(times[5] ?? 0),
      p90Ms: Math.round(times[9] ?? 0),
      breakdownMs: breakdown,
      pdfsigMs: Math.round(pdfsigMs),
      goalMs: 1000,
    },
  };
  fs.writeFileSync(path.join(__dirname, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
  const md = [
    '# Validation benchmark results',
    '',
    `${results.date}, ${cores} cores (${results.machine.cpu}), Node ${results.machine.node}, ${seconds} s per rate. Load average (1, 5, 15 min) at the start: ${results.machine.loadAverageAtStart.join(', ')}, at the end: ${results.machine.loadAverage.join(', ')} — the machine was shared with other work, so the ratios (same run) matter more than the absolute rates.`,
    '',
    '| Measure | Result | Goal |',
    '|---|---|---|',
    `| Baseline: crypto floor for the 2-signature file | ${results.baseline.perSecond}/s; ${results.baseline.perCpuSecond} per CPU-second | — |`,
    `| 2 signatures, ${Math.round(small.length / 1024)} KB, B-LT, offline — in process, 1 core | ${results.small.inProcessPerSecond}/s (${results.small.ratioToBaseline} × baseline); ${results.small.inProcessPerCpuSecond} per CPU-second (${results.small.cpuRatioToBaseline} × baseline's) | ≥ 50/s per core |`,
    `| same, cold caches (certificates, OCSP, CRLs parsed and verified every time), 1 core | ${results.small.inProcessColdPerSecond}/s; ${results.small.inProcessColdPerCpuSecond} per CPU-second (${results.small.coldCpuRatioToBaseline} × baseline's) | ≥ 100/s per core (issue 16) |`,
    'error' in results.dss
      ? `| EU DSS 6.2, same file, offline, warm JVM, 1 thread | not measured: ${results.dss.error} | — |`
      : `| EU DSS 6.2, same file, offline, warm JVM, 1 thread | ${results.dss.perSecond}/s, ${results.dss.perCpuSecond} per CPU-second of its thread (verdicts ${results.dss.verdicts.join(', ')}); ours ${results.dss.oursWarmRatio}× warm, ${results.dss.oursColdRatio}× cold by wall clock, ${results.dss.oursWarmCpuRatio}× / ${results.dss.oursColdCpuRatio}× by CPU time | ours ≥ 5× (issue 16) |`,
    `| 1 signature + later tagging reaching page 1, in process, structural pre-check (nothing rendered) | ${results.visual.precheckedPerSecond}/s, ${results.visual.precheckedPerCpuSecond} per CPU-second (pre-check off, both revisions rendered: ${results.visual.withRenderingPerSecond}/s, ${results.visual.withRenderingPerCpuSecond} per CPU-second of the process and its pdftoppm children; visual check off: ${results.visual.withoutRenderingPerSecond}/s, ${results.visual.withoutRenderingPerCpuSecond} per CPU-second) | ≥ 50/s per core |`,
    `| 1 signature + a permitted fill on page 1 (a visible input changed: both revisions rendered) | ${results.visual.filledRenderedPerSecond}/s, ${results.visual.filledRenderedPerCpuSecond} per CPU-second of the process and its pdftoppm children | — |`,
    `| 2-signature file, isolated workers (${cores}) | ${results.small.isolatedPerSecond}/s (${results.small.isolatedPerSecondPerCore}/s per core), ${results.small.isolatedPerCpuSecond} per CPU-second of the process and its worker threads; ${results.small.isolatedNotPassed} of ${results.small.isolatedCount} answers not TOTAL_PASSED | ≥ 50/s per core |`,
    `| 10 signatures, 200 pages, ${Math.round(large.length / 1024)} KB — median / p90 | ${results.large.medianMs} ms / ${results.large.p90Ms} ms | < 1 s |`,
    `| pdfsig on the same 10-signature file (integrity only, for scale) | ${results.large.pdfsigMs} ms | — |`,
    '',
    `Where the time goes, 2-signature file, mean of the warm in-process runs (ms): ${JSON.stringify(results.small.breakdownMs)}`,
    '',
    `Where the time goes, 10-signature file, last run (ms): ${JSON.stringify(results.large.breakdownMs)}`,
    '',
  ].join('\n');
  // Sections other scripts write (the precision table) are kept.
  const file = path.join(__dirname, 'results.md');
  const previous = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
  const kept = previous.indexOf('\n## ');
  fs.writeFileSync(file, `${md}${kept >= 0 ? previous.slice(kept) : ''}`);
  process.stdout.write(`${md}\n`);
  fs.rmSync(dir, { recursive: true, force: true });
}

void main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
