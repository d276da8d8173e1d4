import { commandExists, run } from './exec';

// Debian packages the stack runs or tests against. Installed once, quietly, only when missing.
export const debianPackages = [
  'softhsm2', // PKCS#11 token for organisation seal keys
  'opensc', // pkcs11-tool, to import certificates next to their keys
  'openssl', // test PKI, OCSP responder, RFC 3161 time-stamping
  'poppler-utils', // pdfsig, pdftotext, pdftoppm: independent checks of our PDFs
  'qpdf', // qpdf --check
  'xmlsec1', // xmlsec1 --verify: an independent check of our edXML XML-DSig
  'libreoffice-writer-nogui', // DOCX -> PDF, headless
  // Times-compatible fonts for Vietnamese text in PDFs we render: Liberation Serif 2.x has the
  // Vietnamese letters (1.07 in fonts-liberation does not); DejaVu Serif is the fallback.
  'fonts-liberation2',
  'fonts-dejavu-core',
];

async function isInstalled(pkg: string): Promise<boolean> {
  try {
    const { stdout } = await run('dpkg-query', ['-W', '-f=${Status}', pkg]);
    return stdout.includes('install ok installed');
  } catch {
    return false;
  }
}

/** Installs whatever is missing; returns the packages it installed. */
export async function ensureSystemPackages(say: (line: string) => void): Promise<string[]> {
  const wanted = [...debianPackages];
  if (!(await commandExists('java'))) wanted.push('openjdk-17-jre-headless');
  if (!(await commandExists('mvn'))) wanted.push('maven');
  const missing: string[] = [];
  for (const pkg of wanted) if (!(await isInstalled(pkg))) missing.push(pkg);
  if (missing.length === 0) return [];
  say(`installing Debian packages: ${missing.join(' ')}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const sudo = process.getuid?.() === 0 ? [] : ['sudo'];
  const apt = async (args: string[]): Promise<void> => {
    const [command, ...rest] = [...sudo, 'apt-get', ...args];
    await run(command as string, rest, { env, timeoutMs: 1_800_000 });
  };
  await apt(['update', '-qq']);
  await apt(['install', '-y', '-qq', '--no-install-recommends', ...missing]);
  return missing;
}
