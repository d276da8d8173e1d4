import { X509Certificate, createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadPinnedCertificates, readPins } from '../src/validation/pinned-trust';
import { loadConfig } from '@vanthu/platform';
import { signingConfigSchema } from '../src/config';
import { trustStoreFrom } from '../src/validations/validation-deps';
import { infra } from './support';
import { pemToDers } from '../src/x509/certificate';

// VGCA certificates are downloaded by an operator; only files whose fingerprint matches a
// shipped pin are trusted. The test PKI stands in for the downloaded files here.
let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pins-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const der = (pemFile: string): Buffer => pemToDers(fs.readFileSync(pemFile, 'utf8'))[0] as Buffer;
const sha = (algorithm: string, bytes: Buffer): string => createHash(algorithm).update(bytes).digest('hex');

describe('pinned trust (VGCA certificates supplied by the operator)', () => {
  it('trusts a root pinned by SHA-256 and an intermediate pinned by SHA-1, in PEM or DER', () => {
    const root = der(infra.pki.rootCert);
    const intermediate = der(infra.pki.intermediateCert);
    fs.copyFileSync(infra.pki.rootCert, path.join(dir, 'rootcag2.pem'));
    fs.writeFileSync(path.join(dir, 'cpg2.crt'), intermediate);
    fs.writeFileSync(path.join(dir, 'README.txt'), 'not a certificate, ignored');
    const store = loadPinnedCertificates(dir, [
      { name: 'root', role: 'anchor', sha256: sha('sha256', root).toUpperCase() },
      { name: 'sub-CA', role: 'intermediate', sha1: sha('sha1', intermediate) },
    ]);
    expect(store.anchors.map((c) => c.sha256)).toEqual([sha('sha256', root)]);
    expect(store.intermediates.map((c) => c.sha256)).toEqual([sha('sha256', intermediate)]);
  });

  it('adds the pinned certificates to the configured trust store', () => {
    const root = der(infra.pki.rootCert);
    fs.copyFileSync(infra.pki.rootCert, path.join(dir, 'rootcag2.pem'));
    const pinsFile = path.join(dir, 'pins.json');
    fs.writeFileSync(
      pinsFile,
      JSON.stringify({ pins: [{ name: 'root', role: 'anchor', sha256: sha('sha256', root) }] }),
    );
    const base = {
      DATABASE_URL: 'postgres://x@127.0.0.1/x',
      IDENTITY_PUBLIC_KEY_FILE: '/x',
      HSM_MODULE_PATH: '/x',
      HSM_TOKEN_LABEL: 'x',
      HSM_PIN_FILE: '/x',
    };
    const without = trustStoreFrom(
      loadConfig('signing', signingConfigSchema, { ...base, VALIDATION_VGCA_SHIPPED_DIR: 'none' }),
    );
    const withPins = trustStoreFrom(
      loadConfig('signing', signingConfigSchema, {
        ...base,
        VALIDATION_VGCA_SHIPPED_DIR: 'none',
        VALIDATION_VGCA_DIR: dir,
        VALIDATION_TRUST_PINS_FILE: pinsFile,
      }),
    );
    expect(withPins.anchors.length).toBe(without.anchors.length + 1);
    expect(withPins.anchors.at(-1)?.sha256).toBe(sha('sha256', root));
  });

  it('ships the genuine VGCA G2 root: it matches both pins, is self-signed until 2048, and the default trust store holds it', () => {
    const shipped = path.resolve(__dirname, '..', 'trust', 'vgca', 'rootcag2.pem');
    const bytes = der(shipped);
    expect(sha('sha256', bytes)).toBe('f04ba4b459a7c9a1b971ad9b1cb833e695a80c79aea63b174b66a70edfe2fdb8');
    expect(sha('sha1', bytes)).toBe('761a8d4043c70e020b8578b78f89bc16a637918b');
    const x509 = new X509Certificate(bytes);
    expect(x509.subject).toBe('C=VN\nO=Ban Cơ yếu Chính phủ\nCN=RootCA chuyên dùng Chính phủ G2');
    expect(x509.verify(x509.publicKey)).toBe(true);
    expect(new Date(x509.validTo).getUTCFullYear()).toBe(2048);
    const base = {
      DATABASE_URL: 'postgres://x@127.0.0.1/x',
      IDENTITY_PUBLIC_KEY_FILE: '/x',
      HSM_MODULE_PATH: '/x',
      HSM_TOKEN_LABEL: 'x',
      HSM_PIN_FILE: '/x',
    };
    expect(trustStoreFrom(loadConfig('signing', signingConfigSchema, base)).anchors.map((c) => c.sha256)).toContain(
      sha('sha256', bytes),
    );
    expect(
      trustStoreFrom(
        loadConfig('signing', signingConfigSchema, { ...base, VALIDATION_VGCA_SHIPPED_DIR: 'none' }),
      ).anchors.map((c) => c.sha256),
    ).not.toContain(sha('sha256', bytes));
  });

  it('refuses a shipped root altered by one byte', () => {
    const pem = fs.readFileSync(path.resolve(__dirname, '..', 'trust', 'vgca', 'rootcag2.pem'), 'utf8');
    const lines = pem.split('\n');
    const at = lines.length - 4;
    lines[at] =
      `${(lines[at] as string).slice(0, 10)}${(lines[at] as string)[10] === 'A' ? 'B' : 'A'}${(lines[at] as string).slice(11)}`;
    fs.writeFileSync(path.join(dir, 'rootcag2.pem'), lines.join('\n'));
    expect(() =>
      loadPinnedCertificates(dir, readPins(path.resolve(__dirname, '..', 'trust', 'vgca-pins.json'))),
    ).toThrow(/matches no pinned certificate/);
  });

  it('refuses a certificate that matches no pin, naming the file', () => {
    fs.copyFileSync(infra.pki.persons['nguyen-van-an']?.certPath as string, path.join(dir, 'rootcag2.crt.pem'));
    expect(() => loadPinnedCertificates(dir, [{ name: 'root', role: 'anchor', sha256: 'f'.repeat(64) }])).toThrow(
      /rootcag2\.crt\.pem: certificate .* matches no pinned certificate/,
    );
  });

  it('ships full fingerprints for the VGCA G2 root and sub-CA and no truncated ones', () => {
    const pins = readPins(path.resolve(__dirname, '..', 'trust', 'vgca-pins.json'));
    expect(pins.find((p) => p.role === 'anchor')?.sha256).toBe(
      'f04ba4b459a7c9a1b971ad9b1cb833e695a80c79aea63b174b66a70edfe2fdb8',
    );
    for (const pin of pins) {
      if (pin.sha256) expect(pin.sha256).toMatch(/^[0-9a-f]{64}$/);
      if (pin.sha1) expect(pin.sha1).toMatch(/^[0-9a-f]{40}$/);
    }
  });

  it('every shipped VGCA certificate matches the fingerprints published for it (docs/domain/requirements.md, the pinned VGCA roots), and the G2 sub-CAs verify under the G2 root', () => {
    const dirOf = path.resolve(__dirname, '..', 'trust', 'vgca');
    const cert = (file: string): { der: Buffer; x509: X509Certificate } => {
      const bytes = der(path.join(dirOf, file));
      return { der: bytes, x509: new X509Certificate(bytes) };
    };
    const g2 = cert('rootcag2.pem');
    const cpg2 = cert('cpg2.pem');
    const party = cert('dcscag2.pem');
    const g1 = cert('rootca.pem');
    // Published: cpg2 SHA-1 in full and SHA-256 D8CAB7A4…6FAE4B; Party G2 E4B402E3…561A81; G1 root F7BC8905…3B3F90.
    expect(sha('sha1', cpg2.der)).toBe('55c5d432d4aa052a65a39682308753ff1db91f85');
    expect(sha('sha256', cpg2.der)).toMatch(/^d8cab7a4[0-9a-f]{50}6fae4b$/);
    expect(cpg2.x509.serialNumber).toBe('7AF2DF52182653D3');
    expect(sha('sha256', party.der)).toMatch(/^e4b402e3[0-9a-f]{50}561a81$/);
    expect(sha('sha256', g1.der)).toMatch(/^f7bc8905[0-9a-f]{50}3b3f90$/);
    for (const sub of [cpg2, party]) {
      expect(sub.x509.checkIssued(g2.x509)).toBe(true);
      expect(sub.x509.verify(g2.x509.publicKey)).toBe(true);
    }
    expect(g1.x509.verify(g1.x509.publicKey)).toBe(true);
    const store = loadPinnedCertificates(dirOf, readPins(path.resolve(__dirname, '..', 'trust', 'vgca-pins.json')));
    expect(store.anchors.map((c) => c.x509.subject.split('\n').pop()).sort()).toEqual(
      ['CN=Co quan chung thuc so chuyen dung Chinh phu (RootCA)', 'CN=RootCA chuyên dùng Chính phủ G2'].sort(),
    );
    expect(store.intermediates.map((c) => c.x509.subject.split('\n').pop()).sort()).toEqual(
      ['CN=CA phục vụ các cơ quan Nhà nước G2', 'CN=CA phục vụ các cơ quan Đảng G2'].sort(),
    );
  });
});
