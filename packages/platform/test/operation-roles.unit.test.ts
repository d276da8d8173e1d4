import { generateKeyPairSync } from 'node:crypto';
import pino from 'pino';
import { buildServiceApp } from '../src/http';
import { createIdentitySigner } from '../src/identity';
import type { Role } from '../src/identity';
import type { OperationRoles } from '../src/operation-roles';

// The route guard made from a service's role declarations: a declared operation refuses a caller without one of its
// roles with 403 problem+json before the handler runs, publishes the declaration as x-vanthu-roles, and a service
// whose /v1 routes and declarations do not match refuses to start.
const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const sign = createIdentitySigner(privateKey.export({ type: 'pkcs8', format: 'pem' }).toString());
const as = (...roles: Role[]) => ({
  'x-vanthu-identity': sign({ userId: 'nv-an', agencyCode: '000.00.00.H99', roles }),
});

async function appWith(declarations: OperationRoles, routes: string[]) {
  const app = await buildServiceApp({
    name: 'roles-test',
    version: '0.0.0',
    description: 'roles test',
    logger: pino({ level: 'silent' }),
    identityPublicKey: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    operationRoles: declarations,
  });
  let handled = 0;
  for (const operationId of routes)
    app.post(`/v1/${operationId}`, { schema: { operationId } }, async () => {
      handled += 1;
      return { ok: true };
    });
  return { app, handled: () => handled };
}

test('a declared operation admits its roles and refuses the others with 403 problem+json before its handler', async () => {
  const { app, handled } = await appWith({ issue: ['clerk', 'admin'], read: 'every-member' }, ['issue', 'read']);
  await app.ready();
  expect((await app.inject({ method: 'POST', url: '/v1/issue', headers: as('clerk') })).statusCode).toBe(200);
  expect((await app.inject({ method: 'POST', url: '/v1/issue', headers: as('admin', 'specialist') })).statusCode).toBe(
    200,
  );
  for (const roles of [[], ['specialist'], ['agency-leader', 'unit-leader']] as Role[][]) {
    const refused = await app.inject({ method: 'POST', url: '/v1/issue', headers: as(...roles) });
    expect(refused.statusCode).toBe(403);
    expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
  }
  expect(handled()).toBe(2);
  expect((await app.inject({ method: 'POST', url: '/v1/read', headers: as() })).statusCode).toBe(200);
  const document = app.swagger() as unknown as { paths: Record<string, Record<string, Record<string, unknown>>> };
  expect(document.paths['/v1/issue']?.post?.['x-vanthu-roles']).toEqual(['clerk', 'admin']);
  expect(document.paths['/v1/read']?.post?.['x-vanthu-roles']).toBe('every-member');
  await app.close();
});

test('a /v1 route without a declaration, or a declaration without a route, stops the service', async () => {
  await expect(appWith({ issue: ['clerk'] }, ['issue', 'undeclared'])).rejects.toThrow(/undeclared.*declares no roles/);
  const { app } = await appWith({ issue: ['clerk'], gone: ['admin'] }, ['issue']);
  await expect(app.ready()).rejects.toThrow(/gone/);
});
