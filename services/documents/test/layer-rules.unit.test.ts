import { importing, lintSnippets, sqlSnippet as sql } from '../../../test/lint/lint-snippets';

// The layer rules of eslint.config.mjs, shown failing on each thing they forbid and passing on the allowed form.
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
  const inDocuments = Object.fromEntries(
    Object.entries(cases).map(([name, { code, file }]) => [name, { code, file: `services/documents/src/${file}` }]),
  ) as typeof cases;
  messages = lintSnippets(inDocuments);
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
