import fs from 'node:fs';
import os from 'node:os';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { PNG } from 'pngjs';
import { PdfDict, PdfReader, PdfRef, PdfStream } from '@vanthu/pdf';
import { loadInfrastructure } from '../../../test/support/infrastructure';
import type { PadesSettings } from '../src/pades/pades-engine';
import { hsmSigner, softwareSigner } from '../src/pades/signer';
import { HsmConnection, readPin } from '../src/hsm/hsm-connection';
import type { CmsSigner } from '../src/pades/signer';
import type { HashName, SignatureScheme } from '../src/pades/algorithms';
import { isSelfIssued, pemToDers, toCert } from '../src/x509/certificate';
import type { Cert } from '../src/x509/certificate';

export const infra = loadInfrastructure();
export const certPool = (): Cert[] => pemToDers(fs.readFileSync(infra.pki.chainPem, 'utf8')).map(toCert);
export const padesSettings = (): PadesSettings => ({
  tsa: { urls: [infra.tsaUrl], timeoutMs: 10_000 },
  certificatePool: certPool(),
  revocationTimeoutMs: 5_000,
});
export const fontPath = '/usr/share/fonts/truetype/liberation2/LiberationSerif-Regular.ttf';

export const personCertificate = (person: string): Cert => {
  const p = infra.pki.persons[person];
  if (!p) throw new Error(`no test person ${person}`);
  return toCert(pemToDers(fs.readFileSync(p.certPath, 'utf8'))[0] as Buffer);
};

export function personSigner(person: string): CmsSigner {
  const p = infra.pki.persons[person];
  if (!p) throw new Error(`no test person ${person}`);
  const pool = certPool();
  return softwareSigner(
    fs.readFileSync(p.keyPath, 'utf8'),
    personCertificate(person),
    pool.filter((c) => !isSelfIssued(c)),
    'rsa-pkcs1',
    'sha256',
  );
}

export type PdfsigSignature = { field: string; valid: boolean; total: boolean; ranges: string; type: string };

/** Runs poppler's pdfsig (an independent verifier) and parses its report. */
export function pdfsig(file: string): PdfsigSignature[] {
  let out: string;
  try {
    out = execFileSync('pdfsig', [file], { encoding: 'utf8' });
  } catch (error) {
    out = String((error as { stdout?: string }).stdout ?? '');
  }
  return out
    .split(/^Signature #\d+:/m)
    .slice(1)
    .map((block) => ({
      field: /Signature Field Name: (.*)/.exec(block)?.[1]?.trim() ?? '',
      valid: /Signature Validation: Signature is Valid\./.test(block),
      total: /Total document signed/.test(block) && !/Not total document signed/.test(block),
      ranges: /Signed Ranges: (.*)/.exec(block)?.[1]?.trim() ?? '',
      type: /Signature Type: (.*)/.exec(block)?.[1]?.trim() ?? '',
    }));
}

export function qpdfCheck(file: string): string {
  try {
    return execFileSync('qpdf', ['--check', file], { encoding: 'utf8' });
  } catch (error) {
    throw new Error(
      `qpdf --check failed: ${String((error as { stdout?: string }).stdout)}${String((error as { stderr?: string }).stderr)}`,
    );
  }
}

/** Renders one page with pdftoppm at `dpi` and returns its pixels. */
export function render(file: string, page: number, dpi = 72): PNG {
  const dir = fs.mkdtempSync(path.join(fs.realpathSync('/tmp'), 'render-'));
  execFileSync('pdftoppm', [
    '-png',
    '-r',
    String(dpi),
    '-f',
    String(page),
    '-l',
    String(page),
    '-singlefile',
    file,
    path.join(dir, 'p'),
  ]);
  const png = PNG.sync.read(fs.readFileSync(path.join(dir, 'p.png')));
  fs.rmSync(dir, { recursive: true, force: true });
  return png;
}

/** Counts blue and red pixels inside a PDF-space rectangle of a rendered page (72 dpi, origin bottom left). */
export function inkIn(
  png: PNG,
  pageHeight: number,
  rect: { x: number; y: number; width: number; height: number },
): { blue: number; red: number } {
  let blue = 0;
  let red = 0;
  const scale = png.height / pageHeight;
  const x0 = Math.max(0, Math.floor(rect.x * scale));
  const x1 = Math.min(png.width, Math.ceil((rect.x + rect.width) * scale));
  const y0 = Math.max(0, Math.floor((pageHeight - rect.y - rect.height) * scale));
  const y1 = Math.min(png.height, Math.ceil((pageHeight - rect.y) * scale));
  for (let y = y0; y < y1; y += 1)
    for (let x = x0; x < x1; x += 1) {
      const i = (y * png.width + x) * 4;
      const [r = 0, g = 0, b = 0] = [png.data[i], png.data[i + 1], png.data[i + 2]];
      if (b > r + 60 && b > g + 40) blue += 1;
      if (r > g + 80 && r > b + 80) red += 1;
    }
  return { blue, red };
}

/**
 * At B-LT and above the last signature is followed only by validation data: checks that every
 * object of the file's last revision is the catalog or reachable from its /DSS, and that the
 * revision starts where the last signature's coverage ends.
 */
export function lastRevisionIsOnlyDss(bytes: Buffer, lastSignatureCoversUpTo: number): boolean {
  const reader = PdfReader.fromBuffer(bytes);
  const revisions = reader.revisions;
  const previous = revisions[revisions.length - 2];
  if (!previous || previous.endOffset !== lastSignatureCoversUpTo) return false;
  const root = reader.trailer.get('Root') as PdfRef;
  const reachable = new Set<number>([root.num]);
  const walk = (o: unknown, depth: number): void => {
    if (depth > 10) return;
    if (o instanceof PdfRef) {
      if (reachable.has(o.num)) return;
      reachable.add(o.num);
      walk(reader.getObject(o), depth + 1);
    } else if (Array.isArray(o)) o.forEach((x) => walk(x, depth + 1));
    else if (o instanceof PdfDict) for (const v of o.map.values()) walk(v, depth + 1);
    else if (o instanceof PdfStream) walk(o.dict, depth + 1);
  };
  walk(reader.catalog().get('DSS'), 0);
  return [...reader.lastRevision.entries.keys()].every((n) => reachable.has(n));
}

export const coverageEnd = (ranges: string): number => {
  const m = /\[(\d+) - (\d+)\]\s*$/.exec(ranges);
  return m ? Number(m[2]) : -1;
};

/** The length of the DER value at the start of `der` (a /Contents string is zero-padded after its CMS). */
export function derLength(der: Buffer): number {
  const first = der[1] ?? 0;
  if (first < 0x80) return 2 + first;
  const n = first & 0x7f;
  let len = 0;
  for (let i = 0; i < n; i += 1) len = len * 256 + (der[2 + i] ?? 0);
  return 2 + n + len;
}

export type Word = { page: number; text: string; x0: number; y0: number; x1: number; y1: number };
/** Poppler's words in PDF user space (origin bottom left). */
export function popplerWords(file: string): Word[] {
  const xml = execFileSync('pdftotext', ['-bbox', file, '-'], { encoding: 'utf8' });
  const words: Word[] = [];
  let page = -1;
  let height = 0;
  for (const m of xml.matchAll(
    /<page width="([\d.]+)" height="([\d.]+)">|<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)<\/word>/g,
  )) {
    if (m[2]) {
      page += 1;
      height = Number(m[2]);
    } else
      words.push({
        page,
        text: (m[7] ?? '').normalize('NFC'),
        x0: Number(m[3]),
        x1: Number(m[5]),
        y0: height - Number(m[6]),
        y1: height - Number(m[4]),
      });
  }
  return words;
}
export const word = (words: Word[], test: (w: Word) => boolean, what: string): Word => {
  const hits = words.filter(test);
  const last = hits.sort((a, b) => b.page - a.page || a.y0 - b.y0)[0];
  if (!last) throw new Error(`poppler found no word ${what}`);
  return last;
};

/**
 * The test stack's HSM and a scratch folder for one test file, opened before its tests and closed after them; the
 * seal signer signs with the first agency's organisation key (RSA PKCS#1 v1.5, SHA-256) as issuing does.
 */
export function useSealHsm(
  prefix: string,
  poolSize: number,
): {
  hsm: () => HsmConnection;
  dir: () => string;
  sealSigner: (scheme?: SignatureScheme, hash?: HashName) => CmsSigner;
} {
  let hsm: HsmConnection | undefined;
  let dir: string | undefined;
  const seal = infra.hsm.seals[0] as { agencyCode: string; keyIdHex: string; certPath: string };
  beforeAll(() => {
    hsm = new HsmConnection({
      modulePath: infra.hsm.modulePath,
      tokenLabel: infra.hsm.tokenLabel,
      pin: readPin(infra.hsm.pinFile),
      poolSize,
    });
    hsm.open();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), `${prefix}-`));
  });
  afterAll(() => {
    hsm?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });
  const opened = (): HsmConnection => {
    if (!hsm) throw new Error('the HSM is opened in beforeAll');
    return hsm;
  };
  return {
    hsm: opened,
    dir: () => dir as string,
    sealSigner: (scheme: SignatureScheme = 'rsa-pkcs1', hash: HashName = 'sha256') =>
      hsmSigner(
        opened(),
        seal.keyIdHex,
        toCert(pemToDers(fs.readFileSync(seal.certPath, 'utf8'))[0] as Buffer),
        certPool().slice(0, 1),
        scheme,
        hash,
      ),
  };
}
