import fs from 'node:fs';
import { run } from './exec';
import { dataPath } from './paths';
import type { TestPki } from './pki';
import { loadTestPki, ocspPort, ocspUrl } from './pki';
import { logFile, portAnswers, runningPid, sleep, startDetached, stopProcess, tailLog, withDirLock } from './processes';

// The test PKI's OCSP responder is OpenSSL's own (`openssl ocsp -index … -port …`), a real RFC 6960 responder
// answering from the intermediate CA's index.txt.
//
// Behaviour worth knowing (observed with OpenSSL 3.0.x on Debian bookworm):
// - `-port` takes only a number; the responder listens on [::]:18081 (all interfaces, dual stack), not just on
//   127.0.0.1. It only reveals the status of test certificates.
// - It re-reads index.txt by itself when the file changes (mtime/ctime/inode), but it checks *before* waiting
//   for the next connection: the first request after a revocation is still answered from the old index, the
//   one after that from the new (a newly issued certificate is 'unknown', a newly revoked one 'good', once).
//   `refreshOcsp` sends that first request for you, so after `revokeCertificate(...)` or
//   `issueTestCertificate(...)` + `await refreshOcsp(pki)` every answer is current — no restart (and no
//   window with the port closed) needed.
// - It serves one request at a time (no -multi): each answer takes a few milliseconds, plenty for tests.

export const ocspProcessName = 'ocsp';
export { ocspPort, ocspUrl };

export type OcspStatus = 'good' | 'revoked' | 'unknown';

function requirePki(pki: TestPki | undefined): TestPki {
  const found = pki ?? loadTestPki();
  if (found === undefined) throw new Error('the test PKI has not been generated; call ensureTestPki() first');
  return found;
}

/**
 * Asks the responder for one certificate's status with the openssl client, verifying the signed response
 * against the test root (an independent check of the responder, not of our own code).
 */
export async function queryOcsp(certPath: string, pki?: TestPki, url = ocspUrl): Promise<OcspStatus> {
  const p = requirePki(pki);
  const { stdout, stderr } = await run(
    'openssl',
    [
      'ocsp',
      '-issuer',
      p.intermediateCert,
      '-cert',
      certPath,
      '-url',
      url,
      '-CAfile',
      p.rootCert,
      '-verify_other',
      p.intermediateCert,
      '-timeout',
      '3',
    ],
    { timeoutMs: 10_000 },
  );
  if (!/Response verify OK/.test(stderr + stdout))
    throw new Error(`OCSP response for ${certPath} did not verify against ${p.rootCert}:\n${stderr}`);
  const status = new RegExp(`^${escapeRegExp(certPath)}: (good|revoked|unknown)`, 'm').exec(stdout)?.[1];
  if (status === undefined) throw new Error(`unexpected openssl ocsp output for ${certPath}:\n${stdout}\n${stderr}`);
  return status as OcspStatus;
}

const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** True when the responder on 127.0.0.1:18081 answers a signed, verifiable "good" for the TSA certificate. */
export async function isOcspUp(pki?: TestPki): Promise<boolean> {
  try {
    const p = requirePki(pki);
    return (await queryOcsp(p.tsa.certPath, p)) === 'good';
  } catch {
    return false;
  }
}

/** Starts the responder if it is not already running and answering for this data dir's PKI. */
export async function startOcsp(pki: TestPki): Promise<void> {
  await withDirLock(dataPath('run', `${ocspProcessName}.start.lock`), () => startOcspLocked(pki), 60_000);
}

async function startOcspLocked(pki: TestPki): Promise<void> {
  if (runningPid(ocspProcessName) !== undefined) {
    if (await isOcspUp(pki)) return;
    // Running but not answering for *this* PKI (regenerated since it started, or wedged): replace it.
    await stopProcess(ocspProcessName, 5000);
  } else if (await portAnswers(ocspPort)) {
    throw new Error(
      `port ${ocspPort} is in use but no '${ocspProcessName}' process is recorded in this data dir (another data dir's stack?); ` +
        `stop it (ss -ltnp 'sport = :${ocspPort}') and try again`,
    );
  }
  const workDir = dataPath('ocsp');
  fs.mkdirSync(workDir, { recursive: true });
  startDetached({
    name: ocspProcessName,
    command: 'openssl',
    args: [
      'ocsp',
      '-index',
      pki.caIndex,
      '-port',
      String(ocspPort),
      '-rsigner',
      pki.ocsp.certPath,
      '-rkey',
      pki.ocsp.keyPath,
      // The issuer's own certificate is the chain a client needs to verify the responder's certificate.
      '-rother',
      pki.intermediateCert,
      '-CA',
      pki.intermediateCert,
      '-ndays',
      '1',
      // A client that connects and sends nothing must not block the single-threaded responder forever.
      '-timeout',
      '10',
    ],
    cwd: workDir,
  });
  const deadline = Date.now() + 15_000;
  while (!(await isOcspUp(pki))) {
    if (runningPid(ocspProcessName) === undefined) {
      throw new Error(
        `the OCSP responder exited during start-up (log ${logFile(ocspProcessName)}):\n${tailLog(ocspProcessName)}`,
      );
    }
    if (Date.now() > deadline) {
      throw new Error(
        `the OCSP responder did not answer on ${ocspUrl} within 15 s (log ${logFile(ocspProcessName)}):\n${tailLog(ocspProcessName)}`,
      );
    }
    await sleep(200);
  }
}

/**
 * Makes the running responder pick up index.txt changes (after revokeCertificate): it reloads only after
 * serving one more request, so send one. Resolves once that request has been answered.
 */
export async function refreshOcsp(pki?: TestPki): Promise<void> {
  if (runningPid(ocspProcessName) === undefined) return;
  const p = requirePki(pki);
  await queryOcsp(p.tsa.certPath, p).catch(() => undefined);
}

export async function stopOcsp(): Promise<void> {
  await stopProcess(ocspProcessName, 5000);
}
