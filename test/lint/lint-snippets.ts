import { execFileSync } from 'node:child_process';
import path from 'node:path';

/** The repository's root, whose eslint.config.mjs lints the snippets. */
export const repositoryRoot = path.resolve(__dirname, '../..');

/** Snippets of the layer-rule tests shared by services: SQL, and importing a module (by value or as a type). */
export const sqlSnippet =
  "import type { Tx } from '@vanthu/platform';\nexport const f = (tx: Tx) => tx.query('SELECT 1');\n";
export const importing = (target: string) => `import { x } from '${target}';\nexport const y = x;\n`;
export const typeImport = (target: string) => `import type { X } from '${target}';\nexport type Y = X;\n`;

/**
 * Lints each snippet as if it were the file named (a path from the repository's root) and returns, per case, the
 * messages as `ruleId: message`. ESLint loads its flat config as an ES module, which jest's VM cannot, so the
 * snippets are linted in one child process.
 */
export function lintSnippets<K extends string>(cases: Record<K, { code: string; file: string }>): Record<K, string[]> {
  const script = `import { ESLint } from 'eslint';
    const [root, snippets] = [process.argv[1], JSON.parse(process.argv[2])];
    const eslint = new ESLint({ cwd: root });
    const out = {};
    for (const [name, { code, file }] of Object.entries(snippets)) {
      const [result] = await eslint.lintText(code, { filePath: root + '/' + file });
      out[name] = result.messages.map((m) => m.ruleId + ': ' + m.message);
    }
    process.stdout.write(JSON.stringify(out));`;
  const output = execFileSync(
    process.execPath,
    ['--input-type=module', '-e', script, repositoryRoot, JSON.stringify(cases)],
    { cwd: repositoryRoot, encoding: 'utf8' },
  );
  return JSON.parse(output) as Record<K, string[]>;
}
