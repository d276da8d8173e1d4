import fs from 'node:fs';
import path from 'node:path';
import { roles } from '@vanthu/platform';

// Every /v1 operation of the published OpenAPI document says who may call it (`x-vanthu-roles`), and the route
// guard is made from that declaration (packages/platform/src/operation-roles.ts). The use case keeps its own
// requireRole, because event consumers call it without a route; this test reads each operation's use case and fails
// when its roles and the declaration disagree — a role the use case refuses that the document admits, or the other
// way round — so that the document, the guard and the code say the same thing.

type Operation = { operationId?: string; 'x-vanthu-roles'?: unknown; responses?: Record<string, unknown> };
const root = path.join(__dirname, '../..');
const openapi = JSON.parse(fs.readFileSync(path.join(root, 'docs/openapi.json'), 'utf8')) as {
  paths: Record<string, Record<string, Operation | string>>;
};

// Operations whose use case function is not named after the operationId, by operationId.
const implementedBy: Record<string, string> = {
  uploadProcessDefinition: 'uploadDefinition',
  endIncident: 'endIncidentMode',
  certificateAdoption: 'getCertificateAdoption',
  answerExchangeRequest: 'answerBusinessRequest',
};

// `every-member` operations whose use case refuses one variant to some roles (the rest of the operation is open).
const variantChecked: Record<string, string> = {
  createDelegation: "recording someone's absence needs a leader or an administrator; one's own delegation does not",
  prepareSigningSession: "initials and approvals need the signer's role; one's own consultation answer sheet does not",
};

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return entry.name.endsWith('.ts') ? [full] : [];
  });
}

/** The text of `export (async) function name(` up to its closing brace at the start of a line. */
function functionBody(service: string, name: string): string | undefined {
  const start = new RegExp(`^export (async )?function ${name}\\b`, 'm');
  // SQL functions may share a use case's name; the use case is never in src/repositories/.
  for (const file of sourceFiles(path.join(root, 'services', service, 'src')).filter(
    (f) => !f.includes('/repositories/'),
  )) {
    const text = fs.readFileSync(file, 'utf8');
    const match = start.exec(text);
    if (!match) continue;
    const rest = text.slice(match.index);
    const end = rest.search(/^\}/m);
    return end < 0 ? rest : rest.slice(0, end + 1);
  }
  return undefined;
}

/** A route answered without a use case function of its own: its declaration up to the next route's. */
function routeBlock(service: string, operationId: string): string | undefined {
  for (const file of sourceFiles(path.join(root, 'services', service, 'src', 'routes'))) {
    const text = fs.readFileSync(file, 'utf8');
    const at = text.indexOf(`operationId: '${operationId}'`);
    if (at < 0) continue;
    const next = text.indexOf('operationId:', at + 1);
    return text.slice(at, next < 0 ? undefined : next);
  }
  return undefined;
}

/** The roles named in the text's calls of `fn(identity, 'a', 'b', …)`. */
function rolesIn(text: string, fn: 'requireRole' | 'hasRole'): Set<string> {
  const found = new Set<string>();
  for (const call of text.matchAll(new RegExp(`\\b${fn}\\(\\s*[\\w.]+\\s*,([^)]*)\\)`, 'g')))
    for (const role of (call[1] ?? '').matchAll(/'([\w-]+)'/g)) found.add(role[1] as string);
  return found;
}

const operations = Object.entries(openapi.paths).flatMap(([route, item]) =>
  Object.entries(item).flatMap(([method, op]) =>
    typeof op === 'object' && route.startsWith('/v1/')
      ? [{ key: `${method.toUpperCase()} ${route}`, service: item['x-vanthu-service'] as string, op }]
      : [],
  ),
);

describe('the roles each operation declares (x-vanthu-roles)', () => {
  it('are declared on every /v1 operation, as every-member or known roles, and a 403 is documented where roles are', () => {
    expect(operations.length).toBeGreaterThan(100);
    const wrong = operations.flatMap(({ key, op }) => {
      const declared = op['x-vanthu-roles'];
      if (declared === 'every-member') return [];
      if (!Array.isArray(declared) || declared.length === 0) return [`${key}: declares ${JSON.stringify(declared)}`];
      const unknown = declared.filter((role) => !(roles as readonly string[]).includes(role as string));
      if (unknown.length > 0) return [`${key}: unknown roles ${unknown.join(', ')}`];
      return op.responses?.['403'] ? [] : [`${key}: declares roles but documents no 403`];
    });
    expect(wrong).toEqual([]);
  });

  it("agree with the roles the operation's use case requires", () => {
    const disagreements: string[] = [];
    for (const { key, service, op } of operations) {
      const operationId = op.operationId as string;
      const declared = op['x-vanthu-roles'];
      // The use case's function and its route's declaration and handler (a route may check roles itself).
      const parts = [
        functionBody(service, implementedBy[operationId] ?? operationId),
        routeBlock(service, operationId),
      ];
      const body = parts.every((part) => part === undefined) ? undefined : parts.join('\n');
      if (body === undefined) {
        disagreements.push(`${key}: no use case function ${implementedBy[operationId] ?? operationId} in ${service}`);
        continue;
      }
      const required = rolesIn(body, 'requireRole');
      const tested = rolesIn(body, 'hasRole');
      if (declared === 'every-member') {
        if (required.size > 0 && !variantChecked[operationId])
          disagreements.push(`${key}: declared every-member, but its use case requires ${[...required].join(', ')}`);
        continue;
      }
      const set = new Set(declared as string[]);
      const admitted = [...required].filter((role) => !set.has(role));
      if (admitted.length > 0)
        disagreements.push(`${key}: its use case admits ${admitted.join(', ')}, which the declaration does not`);
      const unchecked = [...set].filter((role) => !required.has(role) && !tested.has(role));
      if (unchecked.length > 0)
        disagreements.push(`${key}: declares ${unchecked.join(', ')}, which its use case never admits`);
      if (required.size === 0) disagreements.push(`${key}: declares roles, but its use case checks none`);
    }
    expect(disagreements).toEqual([]);
    // An exception that is no longer needed is stale: remove it.
    const ids = new Set(operations.map(({ op }) => op.operationId));
    expect([...Object.keys(implementedBy), ...Object.keys(variantChecked)].filter((id) => !ids.has(id))).toEqual([]);
  });
});
