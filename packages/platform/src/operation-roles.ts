import type { FastifyInstance, RouteOptions } from 'fastify';
import { requireRole } from './identity';
import type { Role } from './identity';

// Who may call each operation, declared once per service and published: every /v1 operation of a service carries
// `x-vanthu-roles` in its OpenAPI document, and the route guard is made from the same declaration, so what the
// document says and what the service refuses cannot drift apart (issue 16, "Role matrix"). The use case keeps its own
// requireRole (an event consumer calls it without a route); test/contract/role-declarations.contract.test.ts fails
// when a use case's roles and the declaration of its operation disagree.

/** The OpenAPI extension that carries an operation's declaration. */
export const rolesExtension = 'x-vanthu-roles';

/**
 * An operation's declaration: the roles of which the caller must hold one (refused with 403 before the handler
 * otherwise), or `every-member` for an operation open to every member of the caller's agency — where the use case
 * may still refuse by relation (the task's assignee, the session's signer) or by variant (a seal image needs the
 * clerk), which its own description says.
 */
export type RoleDeclaration = readonly Role[] | 'every-member';

/** A service's declarations, by operationId. */
export type OperationRoles = Readonly<Record<string, RoleDeclaration>>;

/**
 * Publishes each /v1 route's declaration in its schema and guards the route with it. A /v1 route whose operation
 * has no declaration, or a declaration that names no route, stops the service from starting: a new operation cannot
 * be added without saying who may call it.
 */
export function installRoleGuard(app: FastifyInstance, declarations: OperationRoles): void {
  const routed = new Set<string>();
  app.addHook('onRoute', (route: RouteOptions) => {
    if (!route.url.startsWith('/v1/')) return;
    const schema = (route.schema ?? {}) as Record<string, unknown>;
    const operationId = schema.operationId;
    const declared = typeof operationId === 'string' ? declarations[operationId] : undefined;
    if (!declared)
      throw new Error(
        `${String(route.method)} ${route.url} (${String(operationId)}) declares no roles (${rolesExtension})`,
      );
    routed.add(operationId as string);
    schema[rolesExtension] = declared === 'every-member' ? declared : [...declared];
    route.schema = schema;
    if (declared === 'every-member') return;
    const guard = async (request: { identity: Parameters<typeof requireRole>[0] }) =>
      requireRole(request.identity, ...declared);
    // After schema validation (a malformed request is still 400 first, as the use case's own check left it) and
    // before the handler, so a refused caller's upload is never read and nothing is stored.
    const existing = route.preHandler;
    route.preHandler = [guard, ...(existing === undefined ? [] : Array.isArray(existing) ? existing : [existing])];
  });
  app.addHook('onReady', async () => {
    const stale = Object.keys(declarations).filter((operationId) => !routed.has(operationId));
    if (stale.length > 0) throw new Error(`roles declared for operations this service does not have: ${stale}`);
  });
}
