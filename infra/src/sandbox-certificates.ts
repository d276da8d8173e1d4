import fs from 'node:fs';
import path from 'node:path';
import { createPrivateKey, createPublicKey, X509Certificate } from 'node:crypto';
import { run } from './exec';
import { queryOcsp } from './ocsp';
import { issueCertificateForRequest } from './pki';
import type { TestPki } from './pki';

/** Who a sandbox-issued personal certificate is for: the subject a CA would put on a public-service certificate. */
export type SandboxCertificateHolder = {
  fullName: string;
  title: string;
  unitName: string;
  agencyName: string;
};

/**
 * A personal key and certificate for a sandbox person the test PKI has no person for (the format checker): the key
 * pair is made here, where the person's token would hold it, and the test CA answers its PKCS#10 request as the CA
 * would. Kept in `dir` (key.pem, cert.pem) and reused while the key and certificate belong together, so seeding
 * again issues nothing.
 */
export async function ensureSandboxPersonalCertificate(options: {
  pki: TestPki;
  dir: string;
  holder: SandboxCertificateHolder;
}): Promise<{ keyPath: string; certPath: string; issued: boolean }> {
  const keyPath = path.join(options.dir, 'key.pem');
  const certPath = path.join(options.dir, 'cert.pem');
  if (belongTogether(keyPath, certPath, options.pki)) return { keyPath, certPath, issued: false };
  fs.mkdirSync(options.dir, { recursive: true });
  await run('openssl', ['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', keyPath]);
  fs.chmodSync(keyPath, 0o600);
  const { holder } = options;
  // The subject as the test PKI's own persons carry it (C, ST, O, OU, title, CN); -preserveDN keeps it as asked.
  const subject = [
    ['C', 'VN'],
    ['ST', 'Thử Nghiệm'],
    ['O', holder.agencyName],
    ['OU', holder.unitName],
    ['title', holder.title],
    ['CN', holder.fullName],
  ]
    .map(([k, v]) => `/${k}=${(v as string).replace(/[/=\\]/g, '\\$&')}`)
    .join('');
  const { stdout: csr } = await run('openssl', [
    'req',
    '-new',
    '-utf8',
    '-config',
    path.join(path.dirname(options.pki.intermediateCert), 'openssl.cnf'),
    '-key',
    keyPath,
    '-subj',
    subject,
  ]);
  const issued = await issueCertificateForRequest(options.pki, csr, options.dir);
  fs.renameSync(issued.certPath, certPath);
  for (const leftover of fs.readdirSync(options.dir).filter((f) => f.startsWith('request-')))
    fs.rmSync(path.join(options.dir, leftover), { force: true });
  // The OCSP responder reads the CA's index again only after one more request (infra/src/ocsp.ts): ask once, so the
  // registration's revocation check sees the new certificate as good.
  await queryOcsp(certPath, options.pki).catch(() => undefined);
  return { keyPath, certPath, issued: true };
}

/** The key and certificate of an earlier run, still valid and issued by this stack's CA (a regenerated PKI issues anew). */
function belongTogether(keyPath: string, certPath: string, pki: TestPki): boolean {
  if (!fs.existsSync(keyPath) || !fs.existsSync(certPath)) return false;
  try {
    const certificate = new X509Certificate(fs.readFileSync(certPath));
    if (Date.parse(certificate.validTo) < Date.now()) return false;
    if (!certificate.checkIssued(new X509Certificate(fs.readFileSync(pki.intermediateCert)))) return false;
    const fromKey = createPublicKey(createPrivateKey(fs.readFileSync(keyPath))).export({ type: 'spki', format: 'der' });
    return fromKey.equals(certificate.publicKey.export({ type: 'spki', format: 'der' }));
  } catch {
    return false;
  }
}
