import path from 'node:path';
import { run } from './exec';
import { ensureMavenLibs } from './maven-libs';
import { dataPath, repoRoot } from './paths';

const dssVersion = '6.2';
const dssDir = path.join(repoRoot, 'infra', 'dss');

/** EU DSS's validation jars from Maven Central, copied once into .data/dss/lib. */
export async function ensureDss(): Promise<string> {
  return ensureMavenLibs({
    name: `EU DSS ${dssVersion}`,
    pomPath: path.join(dssDir, 'pom.xml'),
    libDir: dataPath('dss', 'lib'),
    requiredJars: [`dss-validation-${dssVersion}`, `dss-pades-pdfbox-${dssVersion}`, `dss-service-${dssVersion}`],
  });
}

export type DssSignature = {
  id: string;
  indication: string;
  subIndication: string | null;
  format: string;
  signedBy: string;
};

/** Validates `file` with EU DSS, trusting only `anchorPem` (revocation fetched online), one result per signature. */
export async function validateWithDss(libDir: string, file: string, anchorPem: string): Promise<DssSignature[]> {
  const { stdout } = await run(
    'java',
    ['-Xmx512m', '-cp', path.join(libDir, '*'), path.join(dssDir, 'DssValidate.java'), file, anchorPem],
    { timeoutMs: 240_000 },
  );
  return stdout
    .split('\n')
    .filter((line) => line.startsWith('SIGNATURE '))
    .map((line) => {
      const [, id = '', indication = '', sub = '', format = '', ...signedBy] = line.split(' ');
      return { id, indication, subIndication: sub === 'null' ? null : sub, format, signedBy: signedBy.join(' ') };
    });
}
