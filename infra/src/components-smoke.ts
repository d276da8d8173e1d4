// Smoke test of the real local components: sets up the test PKI, the dev JWT key, SoftHSM, the OCSP responder,
// the TSA and Kafka (all idempotent), then checks each with a tool other than the code that set it up
// (openssl verify / ocsp / ts -verify, pkcs11js + node:crypto, a kafkajs round trip).
//
//   npx tsx infra/src/components-smoke.ts          (VANTHU_DATA_DIR=/tmp/x to use a scratch data dir)
//
// Prints one timing line per step and exits 1 on the first failure. It leaves the stack running; only the
// second Kafka broker it starts for the stop/start check (ports 19092/19093, temporary dir) is stopped again.

import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import * as pkcs11js from 'pkcs11js';
import { run } from './exec';
import type { KafkaInstance } from './kafka';
import { defaultKafka, ensureKafkaLibs, ensureTopics, isKafkaUp, startKafka, stopKafka } from './kafka';
import { queryOcsp, refreshOcsp, startOcsp } from './ocsp';
import { dataDir, dataPath } from './paths';
import type { TestPki } from './pki';
import { ensureDevJwtKey, ensureTestPki, issueTestCertificate, revokeCertificate } from './pki';
import type { HsmSetup } from './softhsm';
import { ensureSoftHsm } from './softhsm';
import { crlBaseUrl, crtBaseUrl, startTsa, tsaUrl } from './tsa';

type Timing = { step: string; ms: number };
const timings: Timing[] = [];

async function step<T>(name: string, fn: () => Promise<T>): Promise<T> {
  const started = Date.now();
  process.stdout.write(`… ${name}\n`);
  const result = await fn();
  const ms = Date.now() - started;
  timings.push({ step: name, ms });
  process.stdout.write(`✓ ${name} (${ms} ms)\n`);
  return result;
}

function check(condition: boolean, message: string): void {
  if (!condition) throw new Error(message);
}

/** Runs a command and returns its exit status and combined output, without throwing on failure. */
async function outcome(command: string, args: string[]): Promise<{ ok: boolean; output: string }> {
  try {
    const { stdout, stderr } = await run(command, args, { timeoutMs: 60_000 });
    return { ok: true, output: stdout + stderr };
  } catch (error) {
    return { ok: false, output: (error as Error).message };
  }
}

const smokeTopics = [
  { topic: 'vanthu.smoke.roundtrip', numPartitions: 1 },
  { topic: 'vanthu.smoke.partitioned', numPartitions: 3 },
];

async function verifyPkiWithOpenssl(pki: TestPki): Promise<void> {
  const chainArgs = ['-CAfile', pki.rootCert, '-untrusted', pki.intermediateCert];
  const crlArgs = ['-crl_check_all', '-CRLfile', pki.crlPem, '-CRLfile', pki.rootCrlPem];
  const leaves: { label: string; certPath: string; status: 'good' | 'revoked' | 'expired' }[] = [
    ...Object.entries(pki.persons).map(([slug, p]) => ({
      label: `person ${slug}`,
      certPath: p.certPath,
      status: p.status,
    })),
    ...Object.values(pki.seals).map((s) => ({
      label: `seal ${s.agencyCode}`,
      certPath: s.certPath,
      status: 'good' as const,
    })),
    { label: 'tsa', certPath: pki.tsa.certPath, status: 'good' },
    { label: 'ocsp', certPath: pki.ocsp.certPath, status: 'good' },
  ];
  check(
    (await outcome('openssl', ['verify', '-CAfile', pki.rootCert, pki.intermediateCert])).ok,
    'intermediate does not verify against root',
  );
  for (const leaf of leaves) {
    const plain = await outcome('openssl', ['verify', ...chainArgs, leaf.certPath]);
    const withCrl = await outcome('openssl', ['verify', ...chainArgs, ...crlArgs, leaf.certPath]);
    if (leaf.status === 'good') {
      check(
        plain.ok && withCrl.ok,
        `${leaf.label}: expected to verify (with CRLs too):\n${plain.output}\n${withCrl.output}`,
      );
    } else if (leaf.status === 'revoked') {
      check(plain.ok, `${leaf.label}: revoked certificate should still chain to the root:\n${plain.output}`);
      check(
        !withCrl.ok && /certificate revoked/.test(withCrl.output),
        `${leaf.label}: -crl_check_all should fail with "certificate revoked":\n${withCrl.output}`,
      );
    } else {
      check(
        !plain.ok && /certificate has expired/.test(plain.output),
        `${leaf.label}: should fail with "certificate has expired":\n${plain.output}`,
      );
    }
  }
  // UTF-8 names survive as UTF8String, not as escaped Latin-1.
  const an = pki.persons['nguyen-van-an'];
  check(an !== undefined, 'person nguyen-van-an missing');
  const subject = (
    await run('openssl', [
      'x509',
      '-in',
      an?.certPath ?? '',
      '-noout',
      '-subject',
      '-nameopt',
      'utf8,sep_comma_plus_space',
    ])
  ).stdout;
  check(
    subject.includes('CN=Nguyễn Văn An') && subject.includes('O=Ủy ban nhân dân tỉnh Thử Nghiệm'),
    `unexpected subject: ${subject}`,
  );
  const rootSubject = (
    await run('openssl', ['x509', '-in', pki.rootCert, '-noout', '-subject', '-nameopt', 'utf8,sep_comma_plus_space'])
  ).stdout;
  check(
    rootSubject.includes('CN=RootCA chuyên dùng Chính phủ (Thử nghiệm)'),
    `unexpected root subject: ${rootSubject}`,
  );
  for (const seal of Object.values(pki.seals)) {
    const s = (
      await run('openssl', [
        'x509',
        '-in',
        seal.certPath,
        '-noout',
        '-subject',
        '-nameopt',
        'utf8,sep_comma_plus_space',
      ])
    ).stdout;
    check(s.includes(`serialNumber=${seal.agencyCode}`), `seal ${seal.agencyCode} subject lacks its agency code: ${s}`);
  }
  // The PKCS#12 of a person opens with the documented password and holds the person's key.
  for (const p of Object.values(pki.persons)) {
    const dump = await outcome('openssl', ['pkcs12', '-in', p.p12Path, '-passin', 'pass:123456', '-nodes', '-nocerts']);
    check(
      dump.ok && dump.output.includes('PRIVATE KEY'),
      `${p.p12Path} does not open with password 123456:\n${dump.output}`,
    );
  }
}

async function verifyPublication(pki: TestPki): Promise<void> {
  const crl = Buffer.from(await (await fetch(`${crlBaseUrl}/ca-nha-nuoc.crl`)).arrayBuffer());
  check(crl.equals(fs.readFileSync(pki.crlDer)), 'CRL served over HTTP differs from the file');
  const rootCrl = await fetch(`${crlBaseUrl}/root-ca.crl`);
  check(
    rootCrl.status === 200 && rootCrl.headers.get('content-type') === 'application/pkix-crl',
    'root CRL not served',
  );
  const crt = Buffer.from(await (await fetch(`${crtBaseUrl}/ca-nha-nuoc.crt`)).arrayBuffer());
  check(
    new crypto.X509Certificate(crt).fingerprint256 ===
      new crypto.X509Certificate(fs.readFileSync(pki.intermediateCert)).fingerprint256,
    'caIssuers certificate differs',
  );
  check(
    (await fetch(`${crlBaseUrl}/..%2Fintermediate%2Fintermediate.crl`)).status === 404,
    'path traversal not refused',
  );
}

async function verifyOcsp(pki: TestPki, workDir: string): Promise<void> {
  for (const [slug, p] of Object.entries(pki.persons)) {
    const status = await queryOcsp(p.certPath, pki);
    // openssl's responder answers from index.txt: expired certificates are still 'V' (good) there.
    const expected = p.status === 'revoked' ? 'revoked' : 'good';
    check(status === expected, `OCSP for ${slug}: ${status}, expected ${expected}`);
  }
  // A fresh certificate, revoked now: OCSP must flip to revoked and the republished CRL must list it.
  const fresh = await issueTestCertificate('Kiểm thử thu hồi', path.join(workDir, 'revocation'));
  // Issuing changed index.txt too; the responder reloads it only after one more request (see ocsp.ts).
  await refreshOcsp(pki);
  const freshStatus = await queryOcsp(fresh.certPath, pki);
  check(freshStatus === 'good', `fresh certificate is ${freshStatus}, expected good`);
  await revokeCertificate(fresh.certPath);
  await refreshOcsp(pki);
  check(
    (await queryOcsp(fresh.certPath, pki)) === 'revoked',
    'OCSP still reports the just-revoked certificate as good after refreshOcsp',
  );
  const crlFile = path.join(workDir, 'ca.crl');
  fs.writeFileSync(crlFile, Buffer.from(await (await fetch(`${crlBaseUrl}/ca-nha-nuoc.crl`)).arrayBuffer()));
  const crlText = (await run('openssl', ['crl', '-inform', 'DER', '-in', crlFile, '-noout', '-text'])).stdout;
  const serial = new crypto.X509Certificate(fs.readFileSync(fresh.certPath)).serialNumber.toUpperCase();
  check(crlText.includes(serial), `published CRL does not list revoked serial ${serial}`);
}

async function verifyTsa(pki: TestPki, workDir: string): Promise<void> {
  const stampOnce = async (i: number): Promise<string> => {
    const data = path.join(workDir, `data-${i}.txt`);
    const query = path.join(workDir, `query-${i}.tsq`);
    const reply = path.join(workDir, `reply-${i}.tsr`);
    fs.writeFileSync(data, `Văn bản số ${i}/QĐ-UBND ${crypto.randomUUID()}\n`);
    await run('openssl', ['ts', '-query', '-data', data, '-sha256', '-cert', '-out', query]);
    const res = await fetch(tsaUrl, {
      method: 'POST',
      headers: { 'Content-Type': 'application/timestamp-query' },
      body: fs.readFileSync(query),
    });
    check(
      res.status === 200 && res.headers.get('content-type') === 'application/timestamp-reply',
      `TSA answered ${res.status}`,
    );
    fs.writeFileSync(reply, Buffer.from(await res.arrayBuffer()));
    const verify = await outcome('openssl', [
      'ts',
      '-verify',
      '-in',
      reply,
      '-queryfile',
      query,
      '-CAfile',
      pki.rootCert,
      '-untrusted',
      pki.chainPem,
    ]);
    check(verify.ok && /Verification: OK/.test(verify.output), `openssl ts -verify failed:\n${verify.output}`);
    const text = (await run('openssl', ['ts', '-reply', '-in', reply, '-text'])).stdout;
    check(/Status: Granted/.test(text) && /Hash Algorithm: sha256/.test(text), `unexpected reply:\n${text}`);
    return /Serial number: (0x[0-9A-F]+)/.exec(text)?.[1] ?? '';
  };
  await stampOnce(0);
  // Concurrent requests: all must verify and get distinct serial numbers.
  const serials = await Promise.all(Array.from({ length: 8 }, (_, i) => stampOnce(i + 1)));
  check(
    new Set(serials).size === serials.length && !serials.includes(''),
    `TSA serials not unique: ${serials.join(' ')}`,
  );
  const garbage = await fetch(tsaUrl, {
    method: 'POST',
    headers: { 'Content-Type': 'application/timestamp-query' },
    body: crypto.randomBytes(64),
  });
  check(garbage.status === 400, `garbage query answered ${garbage.status}, expected 400`);
  const wrongType = await fetch(tsaUrl, {
    method: 'POST',
    headers: { 'Content-Type': 'application/octet-stream' },
    body: fs.readFileSync(path.join(workDir, 'query-0.tsq')),
  });
  check(wrongType.status === 400, `wrong content type answered ${wrongType.status}, expected 400`);
}

function verifyPkcs11(hsm: HsmSetup): void {
  // SoftHSM reads SOFTHSM2_CONF when C_Initialize runs.
  process.env.SOFTHSM2_CONF = hsm.confPath;
  const pkcs11 = new pkcs11js.PKCS11();
  pkcs11.load(hsm.modulePath);
  pkcs11.C_Initialize({ flags: pkcs11js.CKF_OS_LOCKING_OK });
  try {
    const slot = pkcs11.C_GetSlotList(true).find((s) => pkcs11.C_GetTokenInfo(s).label.trim() === hsm.tokenLabel);
    check(slot !== undefined, `no slot holds token ${hsm.tokenLabel}`);
    const session = pkcs11.C_OpenSession(slot as Buffer, pkcs11js.CKF_SERIAL_SESSION | pkcs11js.CKF_RW_SESSION);
    try {
      pkcs11.C_Login(session, pkcs11js.CKU_USER, fs.readFileSync(hsm.pinFile, 'utf8').trim());
      for (const seal of hsm.seals) {
        pkcs11.C_FindObjectsInit(session, [
          { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_PRIVATE_KEY },
          { type: pkcs11js.CKA_ID, value: Buffer.from(seal.keyIdHex, 'hex') },
        ]);
        const keys = pkcs11.C_FindObjects(session, 2);
        pkcs11.C_FindObjectsFinal(session);
        check(keys.length === 1, `expected one private key with CKA_ID ${seal.keyIdHex}, found ${keys.length}`);
        const data = Buffer.from(`Dấu của cơ quan ${seal.agencyCode} ${crypto.randomUUID()}`, 'utf8');
        pkcs11.C_SignInit(session, { mechanism: pkcs11js.CKM_SHA256_RSA_PKCS }, keys[0] as Buffer);
        const signature = pkcs11.C_Sign(session, data, Buffer.alloc(512));
        const publicKey = new crypto.X509Certificate(fs.readFileSync(seal.certPath)).publicKey;
        check(
          crypto.verify('sha256', data, publicKey, signature),
          `PKCS#11 signature of ${seal.keyLabel} does not verify with the certificate's public key`,
        );
      }
      pkcs11.C_Logout(session);
    } finally {
      pkcs11.C_CloseSession(session);
    }
  } finally {
    pkcs11.C_Finalize();
  }
}

async function kafkaRoundTrip(instance: KafkaInstance, topic: string): Promise<void> {
  const kafka = new Kafka({
    clientId: 'vanthu-components-smoke',
    brokers: [`127.0.0.1:${instance.port}`],
    logLevel: logLevel.NOTHING,
  });
  const runId = crypto.randomUUID();
  const sent = Array.from({ length: 5 }, (_, i) => `${runId}:${i}:văn bản`);
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({ topic, messages: sent.map((value) => ({ key: runId, value })) });
  await producer.disconnect();

  const consumer = kafka.consumer({ groupId: `smoke-${runId}` });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    const received: string[] = [];
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`Kafka round trip on ${topic}: got ${received.length}/${sent.length} messages in 30 s`)),
        30_000,
      );
      consumer
        .run({
          eachMessage: async ({ message }) => {
            const value = message.value?.toString('utf8') ?? '';
            if (value.startsWith(`${runId}:`)) received.push(value);
            if (received.length === sent.length) {
              clearTimeout(timer);
              resolve();
            }
          },
        })
        .catch(reject);
    });
    check(JSON.stringify(received) === JSON.stringify(sent), `Kafka returned ${JSON.stringify(received)}`);
  } finally {
    await consumer.disconnect();
  }
}

async function secondBroker(first: KafkaInstance): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vt-kafka-second-'));
  const second: KafkaInstance = { name: 'kafka-smoke-second', port: 19092, controllerPort: 19093, dir };
  try {
    await step('second broker: cold start (19092)', () => startKafka(second));
    check(await isKafkaUp(first), 'first broker went down when the second started');
    await step('second broker: topic + round trip', async () => {
      await ensureTopics(second, [{ topic: 'vanthu.smoke.second', numPartitions: 1 }]);
      await kafkaRoundTrip(second, 'vanthu.smoke.second');
    });
    await step('second broker: stop', () => stopKafka(second));
    check(!(await isKafkaUp(second)), 'second broker still answers after stopKafka');
    check(await isKafkaUp(first), 'first broker went down when the second stopped');
    await step('second broker: warm start', () => startKafka(second));
    await step('second broker: data survived restart', async () => {
      const admin = new Kafka({
        clientId: 'vanthu-components-smoke',
        brokers: [`127.0.0.1:${second.port}`],
        logLevel: logLevel.NOTHING,
      }).admin();
      await admin.connect();
      const offsets = await admin.fetchTopicOffsets('vanthu.smoke.second');
      await admin.disconnect();
      check(
        offsets[0]?.high === '5',
        `after restart the topic's high watermark is ${offsets[0]?.high ?? 'missing'}, expected 5`,
      );
      await kafkaRoundTrip(second, 'vanthu.smoke.second');
    });
  } finally {
    await stopKafka(second);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  process.stdout.write(`data dir: ${dataDir}\n`);
  const pki = await step('ensureTestPki', () => ensureTestPki());
  const jwt = await step('ensureDevJwtKey', () => ensureDevJwtKey());
  const hsm = await step('ensureSoftHsm', () => ensureSoftHsm(pki));
  await step('startOcsp', () => startOcsp(pki));
  await step('startTsa', () => startTsa(pki));
  await step('ensureKafkaLibs', () => ensureKafkaLibs());
  const kafka = defaultKafka();
  await step('startKafka', () => startKafka(kafka));
  await step('ensureTopics', () => ensureTopics(kafka, smokeTopics));

  const workDir = dataPath('smoke', `run-${Date.now()}`);
  fs.mkdirSync(workDir, { recursive: true });
  try {
    await step('check: openssl verify of every leaf (expired, revoked, CRLs)', () => verifyPkiWithOpenssl(pki));
    await step('check: dev JWT key signs and verifies (ES256)', async () => {
      const data = Buffer.from('header.payload');
      const sig = crypto.sign('sha256', data, { key: fs.readFileSync(jwt.privateKeyPath), dsaEncoding: 'ieee-p1363' });
      check(sig.length === 64, 'ES256 signature must be 64 bytes');
      check(
        crypto.verify('sha256', data, { key: fs.readFileSync(jwt.publicKeyPath), dsaEncoding: 'ieee-p1363' }, sig),
        'JWT key pair does not verify',
      );
      check((fs.statSync(jwt.privateKeyPath).mode & 0o077) === 0, 'JWT private key is readable by group/others');
    });
    await step('check: CRL and CA certificate publication over HTTP', () => verifyPublication(pki));
    await step('check: OCSP good/revoked and live revocation', () => verifyOcsp(pki, workDir));
    await step('check: RFC 3161 time-stamps verified by openssl ts -verify', () => verifyTsa(pki, workDir));
    await step('check: PKCS#11 signature with each seal key (pkcs11js → node:crypto)', async () => verifyPkcs11(hsm));
    await step('check: Kafka produce/consume round trip', async () => {
      await kafkaRoundTrip(kafka, 'vanthu.smoke.roundtrip');
      const admin = new Kafka({
        clientId: 'vanthu-components-smoke',
        brokers: [`127.0.0.1:${kafka.port}`],
        logLevel: logLevel.NOTHING,
      }).admin();
      await admin.connect();
      const meta = await admin.fetchTopicMetadata({ topics: smokeTopics.map((t) => t.topic) });
      await admin.disconnect();
      for (const t of smokeTopics) {
        const n = meta.topics.find((m) => m.name === t.topic)?.partitions.length;
        check(n === t.numPartitions, `${t.topic} has ${n ?? 0} partitions, expected ${t.numPartitions}`);
      }
    });
    await secondBroker(kafka);
  } finally {
    fs.rmSync(workDir, { recursive: true, force: true });
  }

  process.stdout.write('\nstep timings\n');
  for (const t of timings) process.stdout.write(`  ${String(t.ms).padStart(7)} ms  ${t.step}\n`);
  process.stdout.write('components smoke: OK (stack left running)\n');
}

main().catch((error: unknown) => {
  process.stderr.write(
    `\ncomponents smoke FAILED: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  if (timings.length > 0) {
    process.stderr.write('timings so far:\n');
    for (const t of timings) process.stderr.write(`  ${String(t.ms).padStart(7)} ms  ${t.step}\n`);
  }
  process.exit(1);
});
