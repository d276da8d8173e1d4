import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { commentProblems, commentsOf, repositoryProblems } from './comment-citations';

// Every reference in a comment resolves inside the repository (issue 9): the whole tree is checked, and a small
// repository of fixtures shows each kind of reference that must fail, and the forms that must pass.
const root = path.resolve(__dirname, '../..');

describe('comment citations', () => {
  it('every comment of the repository cites files, sections and points that exist', () => {
    const problems = repositoryProblems(root).map((p) => `${p.file}:${p.line} ${p.reference}: ${p.reason}`);
    expect(problems).toEqual([]);
  });

  it('the published API and event documents cite no seed number and nothing outside the repository', () => {
    for (const document of ['docs/openapi.json', 'docs/asyncapi.json']) {
      const text = fs.readFileSync(path.join(root, document), 'utf8');
      expect({ document, refs: text.match(/\bseeds?\s+0\d\d\b|\.\.\/shared\b|DESIGN\.md/gi) ?? [] }).toEqual({
        document,
        refs: [],
      });
    }
  });

  describe('on fixtures', () => {
    let fixture: string;
    beforeAll(() => {
      fixture = fs.mkdtempSync(path.join(os.tmpdir(), 'citations-'));
      fs.mkdirSync(path.join(fixture, 'docs', 'domain'), { recursive: true });
      fs.mkdirSync(path.join(fixture, 'services', 'routing', 'src'), { recursive: true });
      fs.writeFileSync(
        path.join(fixture, 'docs', 'domain', 'rules.md'),
        [
          '# Rules',
          '## 1. Numbering',
          '### 1.2 Registers',
          '## 7. Requirements',
          '1. **Numbering**: one series per register.',
          '14. **Signatures on receipt**: verified.',
          '**A bold title.** Its paragraph.',
          '## Đà Nẵng: công văn …/UBND-KGVX',
          '- **§1b** gating; **§1đ** monthly report',
          '## Ngã Năm: QĐ …/QĐ-UBND',
          '- **Điều 8** outgoing',
        ].join('\n'),
      );
      fs.writeFileSync(path.join(fixture, 'ARCHITECTURE.md'), '# Architecture\n## Events\n');
    });
    afterAll(() => fs.rmSync(fixture, { recursive: true, force: true }));

    const file = 'services/routing/src/fixture.ts';
    const problemsOf = (comment: string) => commentProblems(fixture, file, 1, comment).map((p) => p.reference);

    it.each([
      ['// docs/domain/rules.md'],
      ['// docs/domain/rules.md §1, §1.2 and §7.14'],
      ['// docs/domain/rules.md §7 item 14'],
      ['// (docs/domain/rules.md, section "1. Numbering")'],
      ['// docs/domain/rules.md "A bold title"'],
      ['// docs/domain/rules.md, Đà Nẵng §1b, §1đ'],
      ['// docs/domain/rules.md, Ngã Năm Điều 8'],
      ['// ARCHITECTURE.md "Events"'],
      ['// ../../../ARCHITECTURE.md'],
      ['/**\n * see docs/domain/rules.md\n * §1.2 and ARCHITECTURE.md\n * "Events"\n */'],
      ['// https://example.org/some/README.md is not ours'],
    ])('passes %j', (comment) => {
      expect(problemsOf(comment)).toEqual([]);
    });

    it.each([
      ['// docs/domain/missing.md', 'docs/domain/missing.md'],
      ['// rules.md §1 (a bare name that is neither beside the file nor at the root)', 'rules.md'],
      ['// DESIGN.md "Events"', 'DESIGN.md'],
      ['// docs/domain/rules.md §3.3', 'docs/domain/rules.md §3.3'],
      ['// docs/domain/rules.md §7.26', 'docs/domain/rules.md §7.26'],
      ['// docs/domain/rules.md §7 item 15', 'docs/domain/rules.md §7.15'],
      ['// docs/domain/rules.md "Synchronous calls"', 'docs/domain/rules.md "Synchronous calls"'],
      ['/* docs/domain/rules.md, Đà Nẵng §1b, §2a */', 'docs/domain/rules.md Đà Nẵng §2a'],
      ['// docs/domain/rules.md seed 000 §1b', 'seed 000'],
      ['-- Seed 003 Điều 8.5c', 'Seed 003'],
      ['// the corpus in ../shared/corpora', '../shared'],
      ['-- lookups by code (requirements §7.20)', 'requirements §'],
      ['/**\n * docs/domain/rules.md\n * §9\n */', 'docs/domain/rules.md §9'],
    ])('refuses %j', (comment, reference) => {
      expect(problemsOf(comment)).toEqual([reference]);
    });

    it('reports the line of the reference inside a block comment', () => {
      const [problem] = commentProblems(fixture, file, 10, '/**\n * fine\n * docs/domain/nothing.md\n */');
      expect(problem).toMatchObject({ file, line: 12, reference: 'docs/domain/nothing.md' });
    });
  });

  it('finds comments in TypeScript, not in its strings, template literals or regular expressions', () => {
    const source = [
      "const a = '// not a comment'; // one",
      'const b = `${a /* two */}// not a comment ${`${1}`}`;',
      'const c = /\\/\\/ not a comment/.test(a) ? { d: 1 } : {}; /* three */',
      'const e = 4 / 2; // four',
    ].join('\n');
    expect(commentsOf('x.ts', source).map((c) => [c.line, c.text])).toEqual([
      [1, '// one'],
      [2, '/* two */'],
      [3, '/* three */'],
      [4, '// four'],
    ]);
    expect(commentsOf('x.sql', 'SELECT 1 -- five\n/* six */').map((c) => c.text)).toEqual(['-- five', '/* six */']);
  });
});
