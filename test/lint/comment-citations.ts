import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

// What a comment may cite (CONTRIBUTING.md "Code style"): a file of the repository, by its path from the root
// (`docs/domain/requirements.md §7.8`) or from the commenting file, with the section the rule is written in. A clone
// holds nothing else, so a comment citing a file it lacks, a section its file does not have, the design notes kept
// beside the repository (the sibling `shared` checkout, its design file) or the directives by their old working
// names (a seed number) sends the reader nowhere.

export type Problem = { file: string; line: number; reference: string; reason: string };

/** The comments of one source file, each with the line it starts on. */
export function commentsOf(file: string, text: string): { line: number; text: string }[] {
  const lineOf = (offset: number) => text.slice(0, offset).split('\n').length;
  if (/\.(c|m)?(t|j)sx?$/.test(file)) {
    const comments: { line: number; text: string }[] = [];
    const scanner = ts.createScanner(ts.ScriptTarget.Latest, false, ts.LanguageVariant.Standard, text);
    // What each open brace closes: a block or object, or the `${…}` of a template literal, whose closing brace
    // continues the template. The scanner cannot tell a regular expression from a division without the parser; a
    // slash after a value is a division, anything else starts a regular expression.
    const braces: ('block' | 'template')[] = [];
    let previous: ts.SyntaxKind = ts.SyntaxKind.Unknown;
    const valueEnds = new Set([
      ts.SyntaxKind.Identifier,
      ts.SyntaxKind.NumericLiteral,
      ts.SyntaxKind.StringLiteral,
      ts.SyntaxKind.CloseParenToken,
      ts.SyntaxKind.CloseBracketToken,
      ts.SyntaxKind.CloseBraceToken,
      ts.SyntaxKind.NoSubstitutionTemplateLiteral,
      ts.SyntaxKind.TemplateTail,
      ts.SyntaxKind.RegularExpressionLiteral,
      ts.SyntaxKind.ThisKeyword,
    ]);
    for (let token = scanner.scan(); token !== ts.SyntaxKind.EndOfFileToken; token = scanner.scan()) {
      if (token === ts.SyntaxKind.SingleLineCommentTrivia || token === ts.SyntaxKind.MultiLineCommentTrivia) {
        comments.push({ line: lineOf(scanner.getTokenStart()), text: scanner.getTokenText() });
        continue;
      }
      if (token === ts.SyntaxKind.WhitespaceTrivia || token === ts.SyntaxKind.NewLineTrivia) continue;
      if (token === ts.SyntaxKind.OpenBraceToken) braces.push('block');
      else if (token === ts.SyntaxKind.TemplateHead) braces.push('template');
      else if (token === ts.SyntaxKind.CloseBraceToken && braces.pop() === 'template') {
        token = scanner.reScanTemplateToken(false);
        if (token === ts.SyntaxKind.TemplateMiddle) braces.push('template');
      } else if (
        (token === ts.SyntaxKind.SlashToken || token === ts.SyntaxKind.SlashEqualsToken) &&
        !valueEnds.has(previous)
      ) {
        token = scanner.reScanSlashToken();
      }
      previous = token;
    }
    return comments;
  }
  if (file.endsWith('.sql')) {
    return [...text.matchAll(/--[^\n]*|\/\*[\s\S]*?\*\//g)].map((m) => ({ line: lineOf(m.index), text: m[0] }));
  }
  if (/\.(ya?ml|sh)$/.test(file) || path.basename(file) === 'run') {
    return [...text.matchAll(/(?:^|\s)(#[^\n]*)/g)].map((m) => ({ line: lineOf(m.index), text: m[1] as string }));
  }
  return [];
}

type Heading = { level: number; text: string; start: number; end: number };

function headingsOf(markdown: string): Heading[] {
  const lines = markdown.split('\n');
  const headings: Heading[] = [];
  let fenced = false;
  lines.forEach((line, index) => {
    if (line.startsWith('```')) fenced = !fenced;
    const match = fenced ? null : /^(#{1,6})\s+(.*)$/.exec(line);
    if (match) headings.push({ level: (match[1] as string).length, text: match[2] as string, start: index, end: 0 });
  });
  headings.forEach((heading, index) => {
    const next = headings.slice(index + 1).find((other) => other.level <= heading.level);
    heading.end = next ? next.start : lines.length;
  });
  return headings;
}

/** A heading's name: what comes before its colon ("Đà Nẵng" of "Đà Nẵng: công văn …"), when it has one. */
const nameOf = (heading: Heading) => (heading.text.includes(':') ? heading.text.split(':')[0]?.trim() : undefined);

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Why `§number` is not a section of the file (`## 3.`, `### 3.3`) nor item N of its section (`7.26`), if it is not. */
function missingNumberedSection(markdown: string, headings: Heading[], number: string): string | undefined {
  const startsWith = (prefix: string) => (heading: Heading) =>
    new RegExp(`^${escape(prefix)}(\\.|\\s)`).test(heading.text);
  if (headings.some(startsWith(number))) return undefined;
  const parts = number.split('.');
  const item = parts.pop() as string;
  const parent = headings.find(startsWith(parts.join('.')));
  if (parts.length > 0 && parent) {
    const body = markdown.split('\n').slice(parent.start, parent.end);
    if (body.some((line) => new RegExp(`^\\s*${escape(item)}\\.\\s`).test(line))) return undefined;
  }
  return `no section or item §${number}`;
}

const fileReference = /(?<![\w/.:-])((?:\.{1,2}\/)*[\w.-]+(?:\/[\w.-]+)*\.md)\b/g;

/** The problems of one comment of `file` (a path relative to `root`). */
export function commentProblems(root: string, file: string, line: number, comment: string): Problem[] {
  const problems: Problem[] = [];
  let at = 0;
  const report = (reference: string, reason: string) =>
    problems.push({ file, line: line + comment.slice(0, at).split('\n').length - 1, reference, reason });
  for (const match of comment.matchAll(/\bseeds?\s+0\d\d\b/gi)) {
    at = match.index;
    report(match[0], 'the directives are cited by name in docs/domain/directives.md, not by their seed number');
  }
  for (const match of comment.matchAll(/\.\.\/shared\b/g)) {
    at = match.index;
    report(match[0], 'the design notes beside the repository are not in a clone; cite docs/domain/ or ARCHITECTURE.md');
  }
  for (const match of comment.matchAll(
    /\b(requirements|directives|signing|edxml-facts|infra-notes|reporting|DESIGN)\s+§/gi,
  )) {
    at = match.index;
    report(match[0], `name the file: docs/domain/${(match[1] as string).toLowerCase()}.md §…`);
  }
  // URLs are not references to the repository; a comment's continuation marks (` * `, `// `, `-- `) are blanks, so
  // that a reference may run onto the next line. Both keep every offset where it was.
  const withoutUrls = comment
    .replace(/\b[a-z][a-z0-9+.-]*:\/\/\S+/gi, (url) => ' '.repeat(url.length))
    .replace(/\n[ \t]*(?:\*(?![*/])|\/\/|--|#)/g, (mark) => `\n${' '.repeat(mark.length - 1)}`);
  for (const match of withoutUrls.matchAll(fileReference)) {
    const reference = match[1] as string;
    at = match.index;
    const here = path.dirname(path.join(root, file));
    const candidates = reference.startsWith('.')
      ? [path.resolve(here, reference)]
      : reference.includes('/')
        ? [path.join(root, reference), path.resolve(here, reference)]
        : [path.join(here, reference), path.join(root, reference)];
    const target = candidates.find((candidate) => candidate.startsWith(root) && fs.existsSync(candidate));
    if (!target) {
      report(
        reference,
        reference.includes('/')
          ? 'no such file in the repository'
          : 'no such file beside it or at the root; give its path',
      );
      continue;
    }
    const markdown = fs.readFileSync(target, 'utf8');
    const headings = headingsOf(markdown);
    const after = withoutUrls.slice((match.index as number) + reference.length);
    // A quoted heading or bold paragraph title: `ARCHITECTURE.md "Testing"`, `docs/domain/signing.md ("Attacks on
    // PDF signatures")`, `, section "1. …"`, `ARCHITECTURE.md "Reporting from events"` (a paragraph opening with it in
    // bold).
    const quoted = /^[\s,(]*(?:sections?\s+)?["“]([^"”]+)["”]/.exec(after);
    if (quoted) {
      const title = (quoted[1] as string).replace(/\s+/g, ' ');
      const bold = markdown.includes(`**${title}`);
      if (!bold && !headings.some((heading) => heading.text.includes(title))) {
        report(`${reference} "${title}"`, 'no such heading or bold title');
      }
      continue;
    }
    // A named section and its points: `docs/domain/directives.md, Đà Nẵng §1b, §2a`.
    const named = headings.find((heading) => {
      const name = nameOf(heading);
      return name !== undefined && new RegExp(`^[\\s,(]*${escape(name)}(?![\\p{L}])`, 'u').test(after);
    });
    if (named) {
      const rest = after.slice(after.indexOf(nameOf(named) as string) + (nameOf(named) as string).length);
      const body = markdown.split('\n').slice(named.start, named.end).join('\n');
      for (const point of /^(?:\s*(?:,|and)?\s*§[\p{L}\p{N}.]+)*/u.exec(rest)?.[0].matchAll(/§([\p{L}\p{N}.]+)/gu) ??
        []) {
        const marker = (point[1] as string).replace(/\.$/, '');
        if (!body.includes(`§${marker}`))
          report(`${reference} ${nameOf(named)} §${marker}`, 'no such point in that section');
      }
      continue;
    }
    // Numbered sections or items: `docs/domain/requirements.md §3.3`, `§7.26` (item 26 of §7), `§7 item 14`.
    const numbered = /^[\s,(]*((?:§\d+(?:\.\d+)*(?:\s+items?\s+\d+)?\.?(?:\s*(?:,|and)\s*)?)+)/.exec(after);
    for (const point of numbered?.[1]?.matchAll(/§(\d+(?:\.\d+)*)(?:\s+items?\s+(\d+))?/g) ?? []) {
      const number = point[2] ? `${point[1]}.${point[2]}` : (point[1] as string);
      const reason = missingNumberedSection(markdown, headings, number);
      if (reason) report(`${reference} §${number}`, reason);
    }
  }
  return problems;
}

const skipped = new Set(['node_modules', 'dist', '.data', '.git', 'coverage', 'generated', 'released']);

/** Every source file under `root` whose comments are checked. */
export function sourceFiles(root: string, dir = root): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return skipped.has(entry.name) ? [] : sourceFiles(root, full);
    const relative = path.relative(root, full);
    return /\.((c|m)?(t|j)sx?|sql|ya?ml|sh)$/.test(entry.name) || relative === path.join('.ci', 'run')
      ? [relative]
      : [];
  });
}

export function repositoryProblems(root: string): Problem[] {
  return sourceFiles(root).flatMap((file) =>
    commentsOf(file, fs.readFileSync(path.join(root, file), 'utf8')).flatMap((comment) =>
      commentProblems(root, file, comment.line, comment.text),
    ),
  );
}
