import { importing, lintSnippets, sqlSnippet as sql, typeImport } from './lint-snippets';

// The layer rules that eslint.config.mjs applies to every service, shown failing on each thing they forbid and
// passing on the allowed form (the snippets are linted in one child process, lint-snippets.ts).

const localProblem = "export const responses = { 400: { $ref: 'Problem#' } };\n";
const localIdempotencyHeader =
  "import { Type } from '@sinclair/typebox';\nexport const headers = Type.Object({ 'idempotency-key': Type.Optional(Type.String()) });\n";
const handParsedUpload =
  'export async function read(request: { parts: () => AsyncIterable<unknown> }) {\n  for await (const part of request.parts()) void part;\n}\n';
const routeKit =
  "import { IdempotencyKeyHeaders, problemResponses } from '@vanthu/platform';\nexport const schema = { headers: IdempotencyKeyHeaders, response: problemResponses(400, 404) };\n";
const cases: Record<string, { code: string; file: string }> = {};
for (const service of ['signing', 'routing', 'reporting', 'exchange', 'notifications']) {
  Object.assign(cases, {
    [`${service}:localProblem`]: { code: localProblem, file: `services/${service}/src/routes/fixture.ts` },
    [`${service}:localIdempotencyHeader`]: {
      code: localIdempotencyHeader,
      file: `services/${service}/src/schemas/fixture.ts`,
    },
    [`${service}:handParsedUpload`]: { code: handParsedUpload, file: `services/${service}/src/routes/fixture.ts` },
    [`${service}:routeKit`]: { code: routeKit, file: `services/${service}/src/routes/fixture.ts` },
    [`${service}:sqlInDomain`]: { code: sql, file: `services/${service}/src/domain/fixture.ts` },
    [`${service}:sqlInRoute`]: { code: sql, file: `services/${service}/src/routes/fixture.ts` },
    [`${service}:sqlInRepository`]: { code: sql, file: `services/${service}/src/repositories/fixture.ts` },
    [`${service}:repositoryImportsDomain`]: {
      code: importing('../domain/some-use-case'),
      file: `services/${service}/src/repositories/fixture.ts`,
    },
    [`${service}:repositoryImportsSchema`]: {
      code: importing('../schemas/some-schema'),
      file: `services/${service}/src/repositories/fixture.ts`,
    },
    [`${service}:repositoryImportsDomainType`]: {
      code: typeImport('../domain/some-value'),
      file: `services/${service}/src/repositories/fixture.ts`,
    },
    [`${service}:routeImportsRepository`]: {
      code: importing('../repositories/some-repository'),
      file: `services/${service}/src/routes/fixture.ts`,
    },
    [`${service}:domainImportsRepository`]: {
      code: importing('../repositories/some-repository'),
      file: `services/${service}/src/domain/fixture.ts`,
    },
    [`${service}:importsAnotherService`]: {
      code: importing('@vanthu/documents'),
      file: `services/${service}/src/domain/fixture.ts`,
    },
    [`${service}:reachesIntoAnotherService`]: {
      code: importing('../../../documents/src/rules/numbering'),
      file: `services/${service}/src/domain/fixture.ts`,
    },
  });
}
let messages: Record<string, string[]>;

beforeAll(() => {
  messages = lintSnippets(cases);
}, 60_000);

describe.each(['signing', 'routing', 'reporting', 'exchange', 'notifications'])(
  'layer rules of services/%s (eslint.config.mjs)',
  (service) => {
    const of = (name: string): string[] => messages[`${service}:${name}`] ?? ['missing case'];

    it('refuses SQL in a use case or a route, and allows it in a repository', () => {
      for (const name of ['sqlInDomain', 'sqlInRoute'])
        expect(of(name)).toEqual([expect.stringMatching(/^no-restricted-syntax: SQL lives in repositories/)]);
      expect(of('sqlInRepository')).toEqual([]);
    });

    it('refuses a repository importing a domain module; schemas and value-object types are allowed', () => {
      expect(of('repositoryImportsDomain')).toEqual([
        expect.stringMatching(/^no-restricted-imports: .*Repositories import no domain module/),
      ]);
      expect(of('repositoryImportsSchema')).toEqual([]);
      expect(of('repositoryImportsDomainType')).toEqual([]);
    });

    it('refuses a route importing a repository; a use case may', () => {
      expect(of('routeImportsRepository')).toEqual([
        expect.stringMatching(/^no-restricted-imports: .*Routes call one use case/),
      ]);
      expect(of('domainImportsRepository')).toEqual([]);
    });

    it('refuses what the route kit provides written again: the problem reference, the Idempotency-Key header, multipart parsing', () => {
      expect(of('localProblem')).toEqual([expect.stringMatching(/^no-restricted-syntax: Use problemResponses/)]);
      expect(of('localIdempotencyHeader')).toEqual([
        expect.stringMatching(/^no-restricted-syntax: Use IdempotencyKeyHeaders/),
      ]);
      expect(of('handParsedUpload')).toEqual([expect.stringMatching(/^no-restricted-syntax: Read multipart uploads/)]);
      expect(of('routeKit')).toEqual([]);
    });

    it('refuses importing another service, by package name or by path', () => {
      for (const name of ['importsAnotherService', 'reachesIntoAnotherService'])
        expect(of(name)).toEqual([
          expect.stringMatching(/^@typescript-eslint\/no-restricted-imports: .*Services never import each other/),
        ]);
    });
  },
);
