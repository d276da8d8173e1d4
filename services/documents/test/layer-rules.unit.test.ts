import { execFileSync } from 'node:child_process';
import path from 'node:path';

// The layer rules of eslint.config.mjs, shown failing on each thing they forbid and passing on the allowed form.
// ESLint loads its flat config as an ES module, which jest's VM cannot, so the snippets are linted in one child.
const root = path.resolve(__dirname, '../../..');

const sql = "import type { Tx } from '@vanthu/platform';\nexport const f = (tx: Tx) => tx.query('SELECT 1');\n";
const importing = (target: string) => `import { x } from '${target}';\nexport const y = x;\n`;
const cases = {
  sqlInUseCase: { code: sql, file: 'documents/fixture.ts' },
  sqlInAdapter: { code: sql, file: 'adapters/fixture.ts' },
  sqlInRoute: { code: sql, file: 'routes/fixture.ts' },
  sqlInRepository: { code: sql, file: 'repositories/fixture.ts' },
  repositoryImportsUseCase: { code: importing('../documents/create-document'), file: 'repositories/fixture.ts' },
  repositoryImportsAdapter: { code: importing('../adapters/text-indexer'), file: 'repositories/fixture.ts' },
  repositoryImportsRoute: { code: importing('../routes/documents'), file: 'repositories/fixture.ts' },
  repositoryImportsRules: { code: importing('../rules/numbering'), file: 'repositories/fixture.ts' },
  routeImportsRepository: { code: importing('../repositories/documents-repository'), file: 'routes/fixture.ts' },
  useCaseImportsRepository: { code: importing('../repositories/documents-repository'), file: 'documents/fixture.ts' },
};
let messages: Record<keyof typeof cases, string[]>;

beforeAll(() => {
  const script = `import { ESLint } from 'eslint';
    const [root, snippets] = [process.argv[1], JSON.parse(process.argv[2])];
    const eslint = new ESLint({ cwd: root });
    const out = {};
    for (const [name, { code, file }] of Object.entries(snippets)) {
      const [result] = await eslint.lintText(code, { filePath: root + '/services/documents/src/' + file });
      out[name] = result.messages.map((m) => m.ruleId + ': ' + m.message);
    }
    process.stdout.write(JSON.stringify(out));`;
  const output = execFileSync(process.execPath, ['--input-type=module', '-e', script, root, JSON.stringify(cases)], {
    cwd: root,
    encoding: 'utf8',
  });
  messages = JSON.parse(output) as typeof messages;
}, 60_000);

describe('documents layer rules (eslint.config.mjs)', () => {
  it('refuses SQL in a use case, an adapter or a route, and allows it in a repository', () => {
    for (const name of ['sqlInUseCase', 'sqlInAdapter', 'sqlInRoute'] as const) {
      expect(messages[name]).toEqual([expect.stringMatching(/^no-restricted-syntax: SQL lives in repositories/)]);
    }
    expect(messages.sqlInRepository).toEqual([]);
  });

  it('refuses a repository importing a use case, an adapter or a route; rules/ are allowed', () => {
    for (const name of ['repositoryImportsUseCase', 'repositoryImportsAdapter', 'repositoryImportsRoute'] as const) {
      expect(messages[name]).toEqual([
        expect.stringMatching(/^no-restricted-imports: .*Repositories import no domain module/),
      ]);
    }
    expect(messages.repositoryImportsRules).toEqual([]);
  });

  it('refuses a route importing a repository; a use case may', () => {
    expect(messages.routeImportsRepository).toEqual([
      expect.stringMatching(/^no-restricted-imports: .*Routes call one use case/),
    ]);
    expect(messages.useCaseImportsRepository).toEqual([]);
  });
});
