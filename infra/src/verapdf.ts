import path from 'node:path';
import { run } from './exec';
import { ensureMavenLibs } from './maven-libs';
import { dataPath, repoRoot } from './paths';

const veraPdfVersion = '1.28.2';
const pomPath = path.join(repoRoot, 'infra', 'verapdf', 'pom.xml');

/** The veraPDF command-line validator's jars from Maven Central, copied once into .data/verapdf/lib. */
export async function ensureVeraPdf(): Promise<string> {
  return ensureMavenLibs({
    name: `veraPDF ${veraPdfVersion}`,
    pomPath,
    libDir: dataPath('verapdf', 'lib'),
    requiredJars: [`greenfield-apps-${veraPdfVersion}`, `validation-model-${veraPdfVersion}`],
  });
}

export type PdfaVerdict = { compliant: boolean; flavour: string; report: string };

/**
 * Validates a file against a PDF/A flavour (e.g. `2b`) with veraPDF; `compliant` is its
 * verdict, `report` the text report for an assertion message.
 */
export async function validatePdfa(libDir: string, file: string, flavour: string): Promise<PdfaVerdict> {
  const { stdout } = await run(
    'java',
    [
      '-Xmx512m',
      '-cp',
      `${libDir}/*`,
      'org.verapdf.apps.GreenfieldCliWrapper',
      '--format',
      'text',
      '--flavour',
      flavour,
      file,
    ],
    { timeoutMs: 120_000 },
  ).catch((error: Error) => ({ stdout: error.message }));
  const line = stdout.split('\n').find((l) => /^(PASS|FAIL) /.test(l)) ?? '';
  return { compliant: line.startsWith('PASS '), flavour, report: stdout.trim() };
}
