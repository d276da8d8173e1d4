import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { run } from './exec';
import { dataPath } from './paths';
import { isAlive, sleep } from './processes';

// A test PKI shaped like the Vietnamese government one (Ban Cơ yếu Chính phủ root → "CA phục vụ các cơ quan
// Nhà nước" → people, organisation seals, TSA, OCSP responder), built with the openssl CLI so that what we test
// against is what a real CA produces, UTF-8 names included. Generated once under <dataDir>/pki and kept: every
// signature made in tests and in the sandbox chains to this root.
//
// Where things are:
//   <dataDir>/pki/pki.json               manifest (the TestPki below); written last, so its absence means
//                                        "not generated / interrupted" and the directory is rebuilt.
//   <dataDir>/pki/root/                  root CA: openssl.cnf, index.txt, root.key, root.crt, crl.pem
//   <dataDir>/pki/intermediate/          issuing CA: same layout (index.txt is the OCSP responder's database)
//   <dataDir>/pki/persons/<slug>/        cert.pem, key.pem (PKCS#8), cert.p12 (password 123456, with chain)
//   <dataDir>/pki/seals/<agency code>/   cert.pem, key.pem (PKCS#8) — imported into SoftHSM by softhsm.ts
//   <dataDir>/pki/tsa/, <dataDir>/pki/ocsp/   cert.pem, key.pem
//   <dataDir>/pki/publish/crl/<name>.crl, publish/crt/<name>.crt   DER files served over HTTP by tsa-server.ts
//
// Organisation seals carry the agency code (mã định danh, e.g. 000.00.00.H99) in the X.520 serialNumber
// attribute (OID 2.5.4.5) of the subject — a PrintableString holding exactly the code, nothing else — so a
// validator can read it without parsing free text in O/OU.

/** HTTP port of the CRL / CA-certificate distribution point (served by the TSA server process). */
export const pkiHttpPort = 18080;
/** Port of the OCSP responder named in the leaves' AIA extension. */
export const ocspPort = 18081;
// Both ports are written into every issued certificate; changing them means regenerating the PKI
// (the manifest records them and ensureTestPki rebuilds when they differ).

export const pkiHttpBaseUrl = `http://127.0.0.1:${pkiHttpPort}`;
export const ocspUrl = `http://127.0.0.1:${ocspPort}/`;
export const intermediatePublishName = 'ca-nha-nuoc';
export const rootPublishName = 'root-ca';
export const p12Password = '123456';

export type PersonStatus = 'good' | 'revoked' | 'expired';

export type TestPerson = {
  name: string;
  role: string;
  agency: string;
  email: string;
  certPath: string;
  keyPath: string;
  p12Path: string;
  status: PersonStatus;
};

export type TestSeal = { name: string; agencyCode: string; certPath: string; keyPath: string };

export type TestPki = {
  dir: string;
  rootCert: string;
  intermediateCert: string;
  /** Intermediate then root, PEM. */
  chainPem: string;
  /** Intermediate's CRL, DER (also served at http://127.0.0.1:18080/crl/ca-nha-nuoc.crl). */
  crlDer: string;
  crlPem: string;
  rootCrlDer: string;
  rootCrlPem: string;
  /** The intermediate's openssl `index.txt` (the OCSP responder's status database). */
  caIndex: string;
  /** DER files served by the TSA server under /crl/ and /crt/. */
  publishDir: string;
  persons: Record<string, TestPerson>;
  /** Keyed by agency code (mã định danh). */
  seals: Record<string, TestSeal>;
  tsa: { certPath: string; keyPath: string };
  ocsp: { certPath: string; keyPath: string };
};

// Bump when the shape of the generated PKI changes, so existing data dirs are rebuilt rather than half-used.
const pkiLayoutVersion = 1;

type Manifest = { layoutVersion: number; pkiHttpPort: number; ocspPort: number; pki: TestPki };

const pkiDir = (): string => dataPath('pki');
const manifestPath = (): string => path.join(pkiDir(), 'pki.json');

// ---------------------------------------------------------------------------------------------------------
// Inter-process lock: `npm start` and `npm test` may run the set-up at the same time; mkdir is atomic.

/**
 * Runs fn while holding a lock directory (mkdir is atomic), so `npm start` and `npm test` started together do
 * not both generate, import or spawn. A lock whose owner process is gone is broken.
 */
export async function withDirLock<T>(lockDir: string, fn: () => Promise<T>, timeoutMs = 300_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  fs.mkdirSync(path.dirname(lockDir), { recursive: true });
  for (;;) {
    try {
      fs.mkdirSync(lockDir);
      fs.writeFileSync(path.join(lockDir, 'pid'), String(process.pid));
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      if (lockIsStale(lockDir)) {
        fs.rmSync(lockDir, { recursive: true, force: true });
        continue;
      }
      if (Date.now() > deadline) throw new Error(`timed out after ${Math.round(timeoutMs / 1000)} s waiting for lock ${lockDir}; if nothing is setting up, delete it`);
      await sleep(200);
    }
  }
  try {
    return await fn();
  } finally {
    fs.rmSync(lockDir, { recursive: true, force: true });
  }
}

function lockIsStale(lockDir: string): boolean {
  try {
    const pid = Number(fs.readFileSync(path.join(lockDir, 'pid'), 'utf8').trim());
    return !(Number.isInteger(pid) && pid > 0 && isAlive(pid));
  } catch {
    // No pid yet: the owner is between mkdir and writeFile — unless it died right there.
    try {
      return Date.now() - fs.statSync(lockDir).mtimeMs > 30_000;
    } catch {
      return false;
    }
  }
}

// ---------------------------------------------------------------------------------------------------------
// openssl helpers

const openssl = (args: string[]): Promise<{ stdout: string; stderr: string }> => run('openssl', args, { timeoutMs: 120_000 });

/** One RDN component of an `-subj` string; '/', '+' and '\' are special there. */
type Rdn = [attribute: string, value: string];
const subj = (rdns: Rdn[]): string => rdns.map(([k, v]) => `/${k}=${v.replace(/([\\/+])/g, '\\$1')}`).join('');

/** openssl ca dates: UTCTime YYMMDDHHMMSSZ (valid until 2049, which covers a 20-year root made today). */
function asn1Time(date: Date): string {
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${p(date.getUTCFullYear() % 100)}${p(date.getUTCMonth() + 1)}${p(date.getUTCDate())}${p(date.getUTCHours())}${p(date.getUTCMinutes())}${p(date.getUTCSeconds())}Z`;
}

const yearsFrom = (date: Date, years: number): Date => {
  const d = new Date(date);
  d.setUTCFullYear(d.getUTCFullYear() + years);
  return d;
};

function caConfig(caDir: string, certPath: string, keyPath: string, extensions: string): string {
  return `# Generated by infra/src/pki.ts. Test PKI only — never use these keys for anything real.
[ ca ]
default_ca = CA_default

[ CA_default ]
dir = ${caDir}
database = $dir/index.txt
new_certs_dir = $dir/newcerts
serial = $dir/serial
crlnumber = $dir/crlnumber
certificate = ${certPath}
private_key = ${keyPath}
default_md = sha256
default_days = 1095
# Regenerated by ensureTestPki once a day; 7 days leaves slack for a machine that was off for a while.
default_crl_days = 7
crl_extensions = crl_ext
policy = policy_any
# Re-issuing a certificate for the same person must not be refused.
unique_subject = no
# Person certificates take their subjectAltName (e-mail) from the request.
copy_extensions = copy
utf8 = yes
string_mask = utf8only
name_opt = utf8,esc_ctrl,multiline,lname,align
cert_opt = ca_default

[ policy_any ]
countryName = optional
stateOrProvinceName = optional
localityName = optional
organizationName = optional
organizationalUnitName = optional
title = optional
commonName = supplied
serialNumber = optional
UID = optional
emailAddress = optional

[ req ]
default_md = sha256
distinguished_name = req_dn
string_mask = utf8only
utf8 = yes

[ req_dn ]

[ crl_ext ]
authorityKeyIdentifier = keyid:always
${extensions}`;
}

const rootExtensions = `
[ v3_root ]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash

[ v3_intermediate ]
basicConstraints = critical, CA:TRUE, pathlen:0
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
crlDistributionPoints = URI:${pkiHttpBaseUrl}/crl/${rootPublishName}.crl
authorityInfoAccess = caIssuers;URI:${pkiHttpBaseUrl}/crt/${rootPublishName}.crt
`;

const leafCommon = `subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
crlDistributionPoints = URI:${pkiHttpBaseUrl}/crl/${intermediatePublishName}.crl`;

const intermediateExtensions = `
[ v3_signer ]
# People and organisation seals: non-repudiation signatures on documents (PAdES) and e-mail (S/MIME);
# 1.3.6.1.4.1.311.10.3.12 is Microsoft's "Document Signing" EKU that Vietnamese signer certificates carry.
basicConstraints = CA:FALSE
keyUsage = critical, digitalSignature, nonRepudiation
extendedKeyUsage = emailProtection, 1.3.6.1.4.1.311.10.3.12
${leafCommon}
authorityInfoAccess = OCSP;URI:${ocspUrl}, caIssuers;URI:${pkiHttpBaseUrl}/crt/${intermediatePublishName}.crt

[ v3_tsa ]
# RFC 3161 §2.3: the TSA certificate has exactly one EKU, timeStamping, and it is critical.
basicConstraints = CA:FALSE
keyUsage = critical, digitalSignature, nonRepudiation
extendedKeyUsage = critical, timeStamping
${leafCommon}
authorityInfoAccess = OCSP;URI:${ocspUrl}, caIssuers;URI:${pkiHttpBaseUrl}/crt/${intermediatePublishName}.crt

[ v3_ocsp ]
# id-pkix-ocsp-nocheck (RFC 6960 §4.2.2.2.1): clients need not check the responder's own status.
basicConstraints = CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = OCSPSigning
noCheck = ignored
${leafCommon}
authorityInfoAccess = caIssuers;URI:${pkiHttpBaseUrl}/crt/${intermediatePublishName}.crt
`;

function initCaDir(caDir: string): void {
  fs.mkdirSync(path.join(caDir, 'newcerts'), { recursive: true });
  fs.writeFileSync(path.join(caDir, 'index.txt'), '');
  fs.writeFileSync(path.join(caDir, 'index.txt.attr'), 'unique_subject = no\n');
  fs.writeFileSync(path.join(caDir, 'serial'), '1000\n');
  fs.writeFileSync(path.join(caDir, 'crlnumber'), '1000\n');
}

async function newKey(keyPath: string, bits: number): Promise<void> {
  // genpkey writes unencrypted PKCS#8 PEM, the form softhsm2-util --import and node:crypto both read.
  await openssl(['genpkey', '-algorithm', 'RSA', '-pkeyopt', `rsa_keygen_bits:${bits}`, '-out', keyPath]);
  fs.chmodSync(keyPath, 0o600);
}

async function newCsr(cnf: string, keyPath: string, csrPath: string, rdns: Rdn[], addext: string[] = []): Promise<void> {
  await openssl(['req', '-new', '-utf8', '-config', cnf, '-key', keyPath, '-subj', subj(rdns), '-out', csrPath, ...addext.flatMap((e) => ['-addext', e])]);
}

type IssueOptions = { cnf: string; csrPath: string; certPath: string; extensions: string; start: Date; end: Date; selfSignKey?: string };

async function issue(o: IssueOptions): Promise<void> {
  // -preserveDN keeps the request's DN order; without it `openssl ca` re-orders by the policy section.
  // (OpenSSL 3.0.x did not honour `preserve = yes` in the CA section here, so the flag is passed explicitly.)
  const args = ['ca', '-batch', '-utf8', '-notext', '-rand_serial', '-preserveDN', '-config', o.cnf, '-extensions', o.extensions];
  args.push('-startdate', asn1Time(o.start), '-enddate', asn1Time(o.end), '-in', o.csrPath, '-out', o.certPath);
  if (o.selfSignKey !== undefined) args.push('-selfsign', '-keyfile', o.selfSignKey);
  await openssl(args);
  fs.rmSync(o.csrPath, { force: true });
}

async function pemToDer(kind: 'x509' | 'crl', pemPath: string, derPath: string): Promise<void> {
  await openssl([kind, '-in', pemPath, '-outform', 'DER', '-out', derPath]);
}

async function generateCrl(caDir: string, publishName: string, publishDir: string): Promise<void> {
  const cnf = path.join(caDir, 'openssl.cnf');
  const pem = path.join(caDir, 'crl.pem');
  const der = path.join(publishDir, 'crl', `${publishName}.crl`);
  // Write to temporaries and rename, so the HTTP server never serves a half-written CRL.
  const tmpPem = `${pem}.tmp-${process.pid}`;
  const tmpDer = `${der}.tmp-${process.pid}`;
  await openssl(['ca', '-batch', '-gencrl', '-config', cnf, '-out', tmpPem]);
  await pemToDer('crl', tmpPem, tmpDer);
  fs.renameSync(tmpPem, pem);
  fs.renameSync(tmpDer, der);
}

/** RSA-2048 end-entity key (PKCS#8) and certificate from the CA whose openssl.cnf is given. */
async function issueLeaf(cnf: string, leafDir: string, rdns: Rdn[], extensions: string, start: Date, end: Date, addext: string[] = []): Promise<{ certPath: string; keyPath: string }> {
  fs.mkdirSync(leafDir, { recursive: true });
  const keyPath = path.join(leafDir, 'key.pem');
  const certPath = path.join(leafDir, 'cert.pem');
  await newKey(keyPath, 2048);
  await newCsr(cnf, keyPath, path.join(leafDir, 'req.csr'), rdns, addext);
  await issue({ cnf, csrPath: path.join(leafDir, 'req.csr'), certPath, extensions, start, end });
  return { certPath, keyPath };
}

// ---------------------------------------------------------------------------------------------------------
// What the PKI contains

const province = 'Thử Nghiệm';
const ubnd = 'Ủy ban nhân dân tỉnh Thử Nghiệm';

type PersonSpec = { slug: string; name: string; role: string; title: string; unit: string; uid: string; email: string; status: PersonStatus };

const personSpecs: PersonSpec[] = [
  { slug: 'nguyen-van-an', name: 'Nguyễn Văn An', role: 'lãnh đạo', title: 'Chủ tịch', unit: 'Lãnh đạo Ủy ban', uid: 'CMND:001085012345', email: 'an.nv@thunghiem.gov.vn', status: 'good' },
  { slug: 'tran-thi-binh', name: 'Trần Thị Bình', role: 'chuyên viên', title: 'Chuyên viên', unit: 'Văn phòng Ủy ban nhân dân tỉnh', uid: 'CMND:001190023456', email: 'binh.tt@thunghiem.gov.vn', status: 'good' },
  { slug: 'le-hoang-cuong', name: 'Lê Hoàng Cường', role: 'lãnh đạo phòng', title: 'Trưởng phòng', unit: 'Phòng Tổng hợp', uid: 'CMND:001082034567', email: 'cuong.lh@thunghiem.gov.vn', status: 'good' },
  { slug: 'pham-van-duc', name: 'Phạm Văn Đức', role: 'chuyên viên', title: 'Chuyên viên', unit: 'Phòng Hành chính - Tổ chức', uid: 'CMND:001087045678', email: 'duc.pv@thunghiem.gov.vn', status: 'revoked' },
  { slug: 'vo-thi-em', name: 'Võ Thị Em', role: 'chuyên viên', title: 'Chuyên viên', unit: 'Phòng Kinh tế', uid: 'CMND:001192056789', email: 'em.vt@thunghiem.gov.vn', status: 'expired' },
];

const sealSpecs: { agencyCode: string; name: string }[] = [
  { agencyCode: '000.00.00.H99', name: 'UBND tỉnh Thử Nghiệm' },
  { agencyCode: '000.00.31.H99', name: 'Sở Khoa học và Công nghệ tỉnh Thử Nghiệm' },
];

const banCoYeu: Rdn[] = [
  ['C', 'VN'],
  ['O', 'Ban Cơ yếu Chính phủ'],
];

async function generate(dir: string): Promise<TestPki> {
  const now = new Date();
  const rootDir = path.join(dir, 'root');
  const intDir = path.join(dir, 'intermediate');
  const publishDir = path.join(dir, 'publish');
  fs.mkdirSync(path.join(publishDir, 'crl'), { recursive: true });
  fs.mkdirSync(path.join(publishDir, 'crt'), { recursive: true });

  // Root, backdated 6 years so that the expired leaf (and intermediate) lie inside their issuers' validity,
  // as they would in a real hierarchy; 20 years in total.
  initCaDir(rootDir);
  const rootKey = path.join(rootDir, 'root.key');
  const rootCert = path.join(rootDir, 'root.crt');
  const rootCnf = path.join(rootDir, 'openssl.cnf');
  fs.writeFileSync(rootCnf, caConfig(rootDir, rootCert, rootKey, rootExtensions));
  await newKey(rootKey, 3072);
  const rootStart = yearsFrom(now, -6);
  await newCsr(rootCnf, rootKey, path.join(rootDir, 'root.csr'), [...banCoYeu, ['CN', 'RootCA chuyên dùng Chính phủ (Thử nghiệm)']]);
  await issue({ cnf: rootCnf, csrPath: path.join(rootDir, 'root.csr'), certPath: rootCert, extensions: 'v3_root', start: rootStart, end: yearsFrom(rootStart, 20), selfSignKey: rootKey });

  // Intermediate ("CA phục vụ các cơ quan Nhà nước"), pathlen 0: it issues only end-entity certificates.
  initCaDir(intDir);
  const intKey = path.join(intDir, 'intermediate.key');
  const intCert = path.join(intDir, 'intermediate.crt');
  const intCnf = path.join(intDir, 'openssl.cnf');
  fs.writeFileSync(intCnf, caConfig(intDir, intCert, intKey, intermediateExtensions));
  await newKey(intKey, 3072);
  await newCsr(rootCnf, intKey, path.join(intDir, 'intermediate.csr'), [...banCoYeu, ['CN', 'CA phục vụ các cơ quan Nhà nước (Thử nghiệm)']]);
  await issue({ cnf: rootCnf, csrPath: path.join(intDir, 'intermediate.csr'), certPath: intCert, extensions: 'v3_intermediate', start: yearsFrom(now, -5), end: yearsFrom(now, 10) });

  const chainPem = path.join(dir, 'chain.pem');
  fs.writeFileSync(chainPem, fs.readFileSync(intCert, 'utf8') + fs.readFileSync(rootCert, 'utf8'));
  await pemToDer('x509', rootCert, path.join(publishDir, 'crt', `${rootPublishName}.crt`));
  await pemToDer('x509', intCert, path.join(publishDir, 'crt', `${intermediatePublishName}.crt`));

  const leaf = (leafDir: string, rdns: Rdn[], extensions: string, start: Date, end: Date, addext: string[] = []): Promise<{ certPath: string; keyPath: string }> =>
    issueLeaf(intCnf, leafDir, rdns, extensions, start, end, addext);

  const persons: Record<string, TestPerson> = {};
  for (const p of personSpecs) {
    // The expired certificate was valid for 3 years, ending a year ago.
    const start = p.status === 'expired' ? yearsFrom(now, -4) : new Date(now.getTime() - 60_000);
    const { certPath, keyPath } = await leaf(
      path.join(dir, 'persons', p.slug),
      [['C', 'VN'], ['ST', province], ['O', ubnd], ['OU', p.unit], ['title', p.title], ['CN', p.name], ['UID', p.uid]],
      'v3_signer',
      start,
      yearsFrom(start, 3),
      [`subjectAltName=email:${p.email}`],
    );
    // PKCS#12 so test clients sign with the person's key the way a USB-token user would, outside the server.
    const p12Path = path.join(dir, 'persons', p.slug, 'cert.p12');
    await openssl(['pkcs12', '-export', '-in', certPath, '-inkey', keyPath, '-certfile', chainPem, '-name', p.name, '-passout', `pass:${p12Password}`, '-out', p12Path]);
    persons[p.slug] = { name: p.name, role: p.role, agency: ubnd, email: p.email, certPath, keyPath, p12Path, status: p.status };
  }

  const seals: Record<string, TestSeal> = {};
  for (const s of sealSpecs) {
    const start = new Date(now.getTime() - 60_000);
    const { certPath, keyPath } = await leaf(
      path.join(dir, 'seals', s.agencyCode),
      [['C', 'VN'], ['ST', province], ['O', s.name], ['serialNumber', s.agencyCode], ['CN', s.name]],
      'v3_signer',
      start,
      yearsFrom(start, 3),
    );
    seals[s.agencyCode] = { name: s.name, agencyCode: s.agencyCode, certPath, keyPath };
  }

  const serviceStart = new Date(now.getTime() - 60_000);
  const tsa = await leaf(path.join(dir, 'tsa'), [...banCoYeu, ['CN', 'Dịch vụ cấp dấu thời gian (Thử nghiệm)']], 'v3_tsa', serviceStart, yearsFrom(serviceStart, 5));
  const ocsp = await leaf(path.join(dir, 'ocsp'), [...banCoYeu, ['CN', 'OCSP - CA phục vụ các cơ quan Nhà nước (Thử nghiệm)']], 'v3_ocsp', serviceStart, yearsFrom(serviceStart, 3));

  for (const p of Object.values(persons)) {
    if (p.status === 'revoked') await openssl(['ca', '-batch', '-config', intCnf, '-revoke', p.certPath, '-crl_reason', 'keyCompromise']);
  }
  await generateCrl(rootDir, rootPublishName, publishDir);
  await generateCrl(intDir, intermediatePublishName, publishDir);

  return {
    dir,
    rootCert,
    intermediateCert: intCert,
    chainPem,
    crlDer: path.join(publishDir, 'crl', `${intermediatePublishName}.crl`),
    crlPem: path.join(intDir, 'crl.pem'),
    rootCrlDer: path.join(publishDir, 'crl', `${rootPublishName}.crl`),
    rootCrlPem: path.join(rootDir, 'crl.pem'),
    caIndex: path.join(intDir, 'index.txt'),
    publishDir,
    persons,
    seals,
    tsa,
    ocsp,
  };
}

/** The PKI recorded in <dataDir>/pki/pki.json, or undefined when it has not been generated (completely). */
export function loadTestPki(): TestPki | undefined {
  try {
    const manifest = JSON.parse(fs.readFileSync(manifestPath(), 'utf8')) as Manifest;
    if (manifest.layoutVersion !== pkiLayoutVersion || manifest.pkiHttpPort !== pkiHttpPort || manifest.ocspPort !== ocspPort) return undefined;
    return manifest.pki;
  } catch {
    return undefined;
  }
}

function writeManifest(pki: TestPki): void {
  const manifest: Manifest = { layoutVersion: pkiLayoutVersion, pkiHttpPort, ocspPort, pki };
  const tmp = `${manifestPath()}.tmp-${process.pid}`;
  fs.writeFileSync(tmp, `${JSON.stringify(manifest, null, 2)}\n`);
  fs.renameSync(tmp, manifestPath());
}

const crlMaxAgeMs = 24 * 60 * 60 * 1000;

/** Generates the test PKI once (kept across runs) and refreshes CRLs older than a day. */
export async function ensureTestPki(): Promise<TestPki> {
  return withDirLock(dataPath('pki.lock'), async () => {
    let pki = loadTestPki();
    if (pki === undefined) {
      // Missing or interrupted (no manifest): start from nothing rather than trust a partial directory.
      fs.rmSync(pkiDir(), { recursive: true, force: true });
      fs.mkdirSync(pkiDir(), { recursive: true });
      pki = await generate(pkiDir());
      writeManifest(pki);
      return pki;
    }
    const refresh = async (crlDer: string, caDir: string, name: string): Promise<void> => {
      let age = Number.POSITIVE_INFINITY;
      try {
        age = Date.now() - fs.statSync(crlDer).mtimeMs;
      } catch {
        // missing: regenerate
      }
      if (age > crlMaxAgeMs) await generateCrl(caDir, name, pki.publishDir);
    };
    await refresh(pki.crlDer, path.dirname(pki.intermediateCert), intermediatePublishName);
    await refresh(pki.rootCrlDer, path.dirname(pki.rootCert), rootPublishName);
    return pki;
  });
}

/**
 * Revokes a certificate issued by the test intermediate (or, for the intermediate itself, by the root) and
 * republishes that CA's CRL. Idempotent: an already revoked certificate is left as it is.
 * The OCSP responder (OpenSSL 3.0) re-reads index.txt by itself when the file changes — see ocsp.ts.
 */
export async function revokeCertificate(certPath: string, reason: 'keyCompromise' | 'superseded' | 'cessationOfOperation' | 'affiliationChanged' | 'unspecified' = 'keyCompromise'): Promise<void> {
  const pki = loadTestPki();
  if (pki === undefined) throw new Error('the test PKI has not been generated; call ensureTestPki() first');
  await withDirLock(dataPath('pki.lock'), async () => {
    const cert = new crypto.X509Certificate(fs.readFileSync(certPath));
    const intermediate = new crypto.X509Certificate(fs.readFileSync(pki.intermediateCert));
    const root = new crypto.X509Certificate(fs.readFileSync(pki.rootCert));
    const [caDir, name] = cert.checkIssued(intermediate)
      ? [path.dirname(pki.intermediateCert), intermediatePublishName]
      : cert.checkIssued(root)
        ? [path.dirname(pki.rootCert), rootPublishName]
        : [undefined, undefined];
    if (caDir === undefined || name === undefined) throw new Error(`${certPath} was not issued by the test PKI in ${pki.dir}`);
    const serial = cert.serialNumber.toUpperCase().replace(/^0+/, '');
    const index = fs.readFileSync(path.join(caDir, 'index.txt'), 'utf8');
    const row = index.split('\n').find((line) => line.split('\t')[3]?.toUpperCase().replace(/^0+/, '') === serial);
    if (row === undefined) throw new Error(`serial ${serial} of ${certPath} is not in ${caDir}/index.txt`);
    if (!row.startsWith('R')) {
      await openssl(['ca', '-batch', '-config', path.join(caDir, 'openssl.cnf'), '-revoke', certPath, '-crl_reason', reason]);
    }
    await generateCrl(caDir, name, pki.publishDir);
    const person = Object.values(pki.persons).find((p) => path.resolve(p.certPath) === path.resolve(certPath));
    if (person !== undefined && person.status !== 'revoked') {
      person.status = 'revoked';
      writeManifest(pki);
    }
  });
}

/**
 * Issues one more person-like signer certificate (3 years, good) from the test intermediate into outDir
 * (cert.pem, key.pem), for tests that need a certificate of their own to revoke or to register.
 * It is in the CA database (so OCSP and CRLs know it) but not in pki.json.
 */
export async function issueTestCertificate(commonName: string, outDir: string): Promise<{ certPath: string; keyPath: string }> {
  const pki = loadTestPki();
  if (pki === undefined) throw new Error('the test PKI has not been generated; call ensureTestPki() first');
  return withDirLock(dataPath('pki.lock'), async () => {
    const start = new Date(Date.now() - 60_000);
    const rdns: Rdn[] = [['C', 'VN'], ['ST', province], ['O', ubnd], ['CN', commonName]];
    return issueLeaf(path.join(path.dirname(pki.intermediateCert), 'openssl.cnf'), outDir, rdns, 'v3_signer', start, yearsFrom(start, 3));
  });
}

/** Development JWT signing key (ES256, P-256), used by `npm run token` and the gateway's dev issuer. */
export async function ensureDevJwtKey(): Promise<{ privateKeyPath: string; publicKeyPath: string }> {
  const privateKeyPath = dataPath('dev', 'jwt-dev.key');
  const publicKeyPath = dataPath('dev', 'jwt-dev.pub');
  return withDirLock(dataPath('dev.lock'), async () => {
    if (fs.existsSync(privateKeyPath) && fs.existsSync(publicKeyPath)) {
      // Keep the key (tokens issued earlier stay valid) unless the pair no longer matches.
      const priv = crypto.createPrivateKey(fs.readFileSync(privateKeyPath));
      const pub = crypto.createPublicKey(fs.readFileSync(publicKeyPath));
      const derived = crypto.createPublicKey(priv).export({ type: 'spki', format: 'der' });
      if (derived.equals(pub.export({ type: 'spki', format: 'der' }))) return { privateKeyPath, publicKeyPath };
    }
    fs.mkdirSync(path.dirname(privateKeyPath), { recursive: true });
    const { privateKey, publicKey } = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });
    fs.writeFileSync(privateKeyPath, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
    fs.chmodSync(privateKeyPath, 0o600);
    fs.writeFileSync(publicKeyPath, publicKey.export({ type: 'spki', format: 'pem' }));
    return { privateKeyPath, publicKeyPath };
  });
}
