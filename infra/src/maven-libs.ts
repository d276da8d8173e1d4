import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { run } from './exec';
import { withDirLock } from './processes';

export type MavenLibs = {
  /** What the jars are for, in error messages. */
  name: string;
  /** A standalone pom listing the runtime closure to copy (kept apart from other poms, see docs/domain/infra-notes.md §3.2). */
  pomPath: string;
  libDir: string;
  /** File-name prefixes that must be among the copied jars for the copy to count as complete. */
  requiredJars: string[];
};

/**
 * Copies a Java tool's runtime jars from Maven Central into a directory under .data once. The
 * copy goes to a private directory renamed at the end, and a marker holding the pom's hash is
 * written last, so an interrupted `mvn` is redone and editing the pom refreshes the jars.
 */
export async function ensureMavenLibs(libs: MavenLibs): Promise<string> {
  return withDirLock(`${libs.libDir}.lock`, () => copyLibs(libs), 15 * 60_000);
}

async function copyLibs(libs: MavenLibs): Promise<string> {
  const marker = path.join(libs.libDir, '.complete');
  const expected = crypto.createHash('sha256').update(fs.readFileSync(libs.pomPath)).digest('hex');
  try {
    if (fs.readFileSync(marker, 'utf8').trim() === expected) return libs.libDir;
  } catch {
    // no marker: not copied yet, or an earlier copy was interrupted
  }
  const staging = `${libs.libDir}.tmp-${process.pid}-${Date.now()}`;
  fs.rmSync(staging, { recursive: true, force: true });
  fs.mkdirSync(path.dirname(libs.libDir), { recursive: true });
  try {
    await run(
      'mvn',
      [
        '-B',
        '-q',
        '-f',
        libs.pomPath,
        'dependency:copy-dependencies',
        '-DincludeScope=runtime',
        `-DoutputDirectory=${staging}`,
      ],
      {
        timeoutMs: 900_000,
      },
    );
  } catch (error) {
    fs.rmSync(staging, { recursive: true, force: true });
    throw new Error(
      `could not fetch the ${libs.name} jars from Maven Central (is Maven Central reachable?): ${(error as Error).message}`,
    );
  }
  const jars = fs.readdirSync(staging).filter((f) => f.endsWith('.jar'));
  const missing = libs.requiredJars.filter((prefix) => !jars.some((jar) => jar.startsWith(prefix)));
  if (missing.length > 0) {
    fs.rmSync(staging, { recursive: true, force: true });
    throw new Error(
      `mvn copied ${jars.length} jars for ${libs.name} but ${missing.join(', ')} is missing; check ${libs.pomPath}`,
    );
  }
  fs.writeFileSync(path.join(staging, '.complete'), `${expected}\n`);
  fs.rmSync(libs.libDir, { recursive: true, force: true });
  fs.renameSync(staging, libs.libDir);
  return libs.libDir;
}
