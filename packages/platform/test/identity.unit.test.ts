import { generateKeyPairSync } from 'node:crypto';
import { createSigner } from 'fast-jwt';
import {
  createIdentitySigner,
  createIdentityVerifier,
  createServiceIdentitySigner,
  identityFromClaims,
  requireRole,
} from '../src/identity';
import type { Identity } from '../src/identity';
import { AppError } from '../src/errors';

const pair = () => {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return {
    privatePem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
};
const identity: Identity = {
  userId: 'nv-an',
  agencyCode: '000.00.00.H99',
  unitCode: 'VP',
  name: 'Nguyễn Văn An',
  roles: ['agency-leader'],
};

describe('gateway identity assertions', () => {
  const gateway = pair();
  const verify = createIdentityVerifier(gateway.publicPem);

  it('carries the identity from the gateway to a service', () => {
    expect(verify(createIdentitySigner(gateway.privatePem)(identity, 'req-1'))).toEqual(identity);
  });

  it('rejects an assertion signed by any other key', () => {
    const intruder = pair();
    expect(() => verify(createIdentitySigner(intruder.privatePem)(identity))).toThrow(AppError);
  });

  it('rejects an expired assertion', () => {
    const sign = createSigner({
      key: gateway.privatePem,
      algorithm: 'ES256',
      iss: 'vanthu-gateway',
      aud: 'vanthu-services',
      expiresIn: 1,
    });
    const token = sign({ sub: 'u', agency: '000.00.00.H99', roles: [], iat: Math.floor(Date.now() / 1000) - 120 });
    expect(() => verify(token)).toThrow(/expired|not signed/);
  });

  it('rejects a tampered payload', () => {
    const token = createIdentitySigner(gateway.privatePem)(identity);
    const [header, , signature] = token.split('.');
    const forged = Buffer.from(
      JSON.stringify({
        sub: 'nv-an',
        agency: '000.00.31.H99',
        roles: ['admin'],
        iss: 'vanthu-gateway',
        aud: 'vanthu-services',
        exp: 9999999999,
      }),
    ).toString('base64url');
    expect(() => verify(`${header}.${forged}.${signature}`)).toThrow(AppError);
  });
});

describe('identityFromClaims', () => {
  it('requires a subject, a well-formed agency code and a roles array', () => {
    expect(() => identityFromClaims({ agency: '000.00.00.H99', roles: [] })).toThrow(/subject/);
    expect(() => identityFromClaims({ sub: 'u', agency: 'UBND', roles: [] })).toThrow(/agency/);
    expect(() => identityFromClaims({ sub: 'u', agency: '000.00.00.H99' })).toThrow(/roles/);
  });

  it('drops roles the platform does not know', () => {
    expect(identityFromClaims({ sub: 'u', agency: '000.00.00.H99', roles: ['clerk', 'superuser'] }).roles).toEqual([
      'clerk',
    ]);
  });

  it('requireRole refuses a caller without the role', () => {
    expect(() => requireRole({ ...identity, roles: ['specialist'] }, 'clerk', 'admin')).toThrow(/clerk, admin/);
    expect(() => requireRole(identity, 'agency-leader')).not.toThrow();
  });
});

describe('service identity assertions', () => {
  const gateway = pair();
  const services = pair();
  const signService = createServiceIdentitySigner(services.privatePem, 'signing');

  it('are accepted only where the service key is trusted, scoped to one agency, with only the service role', () => {
    const verify = createIdentityVerifier(gateway.publicPem, services.publicPem);
    expect(verify(signService('000.00.31.H99'))).toEqual({
      userId: 'service:signing',
      agencyCode: '000.00.31.H99',
      roles: ['service'],
    });
    expect(() => createIdentityVerifier(gateway.publicPem)(signService('000.00.31.H99'))).toThrow(AppError);
  });

  it('cannot be minted with the gateway key, nor can the gateway key grant the service role', () => {
    const verify = createIdentityVerifier(gateway.publicPem, services.publicPem);
    const gatewayAsService = createSigner({
      key: gateway.privatePem,
      algorithm: 'ES256',
      iss: 'vanthu-service',
      aud: 'vanthu-services',
      expiresIn: 60_000,
    });
    expect(() => verify(gatewayAsService({ sub: 'service:x', agency: '000.00.00.H99', roles: ['service'] }))).toThrow(
      AppError,
    );
    const userWithServiceRole = createIdentitySigner(gateway.privatePem)({ ...identity, roles: ['service'] });
    expect(() => verify(userWithServiceRole)).toThrow(/cannot grant/);
    const serviceWithMore = createSigner({
      key: services.privatePem,
      algorithm: 'ES256',
      iss: 'vanthu-service',
      aud: 'vanthu-services',
      expiresIn: 60_000,
    });
    expect(() =>
      verify(serviceWithMore({ sub: 'service:x', agency: '000.00.00.H99', roles: ['service', 'admin'] })),
    ).toThrow(/cannot grant/);
  });
});
