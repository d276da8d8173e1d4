import fs from 'node:fs';

/**
 * Writes one benchmark's section into a results file that several benchmarks share: `section` opens with
 * `<!-- name:start -->` and closes with `<!-- name:end -->`; the section of that name the file already holds is
 * replaced, else the section is appended (a missing file starts with `title`).
 */
export function writeResultsSection(file: string, name: string, section: string, title: string): void {
  const marked = new RegExp(`<!-- ${name}:start -->[\\s\\S]*<!-- ${name}:end -->\\n?`);
  const existing = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : `${title}\n\n`;
  fs.writeFileSync(
    file,
    marked.test(existing) ? existing.replace(marked, () => section) : `${existing.trimEnd()}\n\n${section}`,
  );
}

/** Runs a benchmark's main function as a script: a failure prints its stack and exits 1. */
export function runBenchmark(main: () => Promise<void>): void {
  main().catch((error: unknown) => {
    process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  });
}
