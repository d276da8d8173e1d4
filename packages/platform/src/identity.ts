import { createDecoder, createSigner, createVerifier } from 'fast-jwt';
import { AppError } from './errors';
import { cacheVerifications } from './verification-cache';

// Roles a caller can hold. The names are English; the Vietnamese office is beside each so a
// reader can find the rule that speaks of it.
export const roles = [
  'clerk', // văn thư
  'specialist', // chuyên viên
  'unit-leader', // lãnh đạo phòng (initials content: ký nháy)
  'format-checker', // người kiểm tra thể thức (initials format)
  'agency-leader', // lãnh đạo cơ quan (signs with authority)
  'dossier-inspector', // Văn phòng UBND (checks dossiers)
  'report-collector', // Sở Khoa học và Công nghệ (collects monthly reports of every agency)
  'admin', // quản trị hệ thống (of the caller's own agency)
  'directory-admin', // keeps the province's organisation directory: every agency's entry and the tree
  'service', // another vanthu service acting on an event, with no user behind the call
] as const;
export type Role = (typeof roles)[number];

/** Who is calling, as verified by the gateway. Every query is scoped to `agencyCode`. */
export type Identity = {
  userId: string;
  agencyCode: string;
  unitCode?: string;
  name?: string;
  roles: Role[];
};

export const identityHeader = 'x-vanthu-identity';
const internalIssuer = 'vanthu-gateway';
const serviceIssuer = 'vanthu-service';
const internalAudience = 'vanthu-services';

/**
 * The gateway turns a verified external JWT into a short-lived internal assertion signed with
 * its own ES256 key; services hold only the public key. A caller who reaches a service
 * directly cannot forge an identity, and services never need to know external issuers.
 */
// Five minutes: long enough for a service to finish calls it makes on the caller's behalf
// within one request (a 200-document signing batch), short enough to limit replay.
export function createIdentitySigner(
  privateKeyPem: string,
  ttlSeconds = 300,
): (identity: Identity, requestId?: string) => string {
  const sign = createSigner({
    key: privateKeyPem,
    algorithm: 'ES256',
    iss: internalIssuer,
    aud: internalAudience,
    expiresIn: ttlSeconds * 1000,
  });
  return (identity, requestId) =>
    sign({
      sub: identity.userId,
      agency: identity.agencyCode,
      unit: identity.unitCode,
      name: identity.name,
      roles: identity.roles,
      rid: requestId,
    });
}

/**
 * A service that must call another service with no user behind the call (an event consumer)
 * signs its own assertion with the service key: subject `service:<name>`, the one role
 * `service`, scoped to the agency whose data the event concerns.
 */
export function createServiceIdentitySigner(
  privateKeyPem: string,
  serviceName: string,
  ttlSeconds = 60,
): (agencyCode: string) => string {
  const sign = createSigner({
    key: privateKeyPem,
    algorithm: 'ES256',
    iss: serviceIssuer,
    aud: internalAudience,
    expiresIn: ttlSeconds * 1000,
  });
  return (agencyCode) => sign({ sub: `service:${serviceName}`, agency: agencyCode, roles: ['service'] });
}

/**
 * A claim one service makes for another about something it vouches for (routing: "this document is the answer sheet
 * of this member in this consultation, at this version and digest"), signed with the service key like a service
 * identity. Its audience names what it is for (never `vanthu-services`), so it can never pass as an identity, and an
 * identity assertion can never pass as a claim.
 */
export function createServiceClaimSigner(
  privateKeyPem: string,
  serviceName: string,
): (audience: string, claims: Record<string, unknown>, ttlSeconds: number) => string {
  const sign = createSigner({ key: privateKeyPem, algorithm: 'ES256', iss: serviceIssuer });
  return (audience, claims, ttlSeconds) => {
    if (audience === internalAudience) throw new Error('a service claim cannot have the identity audience');
    return sign({
      ...claims,
      sub: `service:${serviceName}`,
      aud: audience,
      exp: Math.floor(Date.now() / 1000) + ttlSeconds,
    });
  };
}

/**
 * Verifies a service claim for `audience` made by `serviceName` with the service key; returns its claims. A claim
 * that is expired, for another audience or from another service is refused (UNAUTHENTICATED is not the point here: the
 * caller decides what a refused claim means, so this throws a plain Error with the reason).
 */
export function createServiceClaimVerifier(
  publicKeyPem: string,
): (token: string, expected: { audience: string; serviceName: string }) => Record<string, unknown> {
  const verifiers = new Map<string, (token: string) => Record<string, unknown>>();
  return (token, expected) => {
    let verify = verifiers.get(expected.audience);
    if (!verify) {
      verify = createVerifier({
        key: publicKeyPem,
        algorithms: ['ES256'],
        allowedIss: serviceIssuer,
        allowedAud: expected.audience,
        allowedSub: `service:${expected.serviceName}`,
        clockTolerance: 5_000,
      }) as (token: string) => Record<string, unknown>;
      verifiers.set(expected.audience, verify);
    }
    return verify(token);
  };
}

/**
 * Verifies identity assertions: from the gateway (users) always, and from other services only
 * when the service key is configured. The issuer picks the key; a token claiming one issuer
 * but signed with the other key fails.
 */
export function createIdentityVerifier(
  publicKeyPem: string,
  servicePublicKeyPem?: string,
): (token: string) => Identity {
  const options = { algorithms: ['ES256' as const], allowedAud: internalAudience, clockTolerance: 5_000 };
  const cached = (verify: (token: string) => Record<string, unknown>) =>
    cacheVerifications(verify, { clockToleranceMs: options.clockTolerance });
  const verifiers: Record<string, (token: string) => Record<string, unknown>> = {
    [internalIssuer]: cached(createVerifier({ ...options, key: publicKeyPem, allowedIss: internalIssuer })),
  };
  if (servicePublicKeyPem)
    verifiers[serviceIssuer] = cached(
      createVerifier({ ...options, key: servicePublicKeyPem, allowedIss: serviceIssuer }),
    );
  const decode = createDecoder();
  return (token) => {
    let claims: Record<string, unknown>;
    try {
      const issuer = (decode(token) as { iss?: unknown }).iss;
      const verify = typeof issuer === 'string' ? verifiers[issuer] : undefined;
      if (!verify) throw new Error(`issuer ${String(issuer)} is not trusted here`);
      claims = verify(token);
    } catch (error) {
      throw new AppError(
        'UNAUTHENTICATED',
        'internal identity assertion is missing, expired or not signed by the gateway',
        { cause: error },
      );
    }
    const identity = identityFromClaims(claims);
    // Only the service issuer may grant the service role, and it grants nothing else.
    const isService = claims.iss === serviceIssuer;
    if (isService !== identity.roles.includes('service') || (isService && identity.roles.length !== 1)) {
      throw new AppError('UNAUTHENTICATED', 'identity assertion claims roles its issuer cannot grant');
    }
    return identity;
  };
}

/** Validates the claims shape shared by the external and internal tokens. */
export function identityFromClaims(claims: Record<string, unknown>): Identity {
  const userId = claims.sub;
  const agencyCode = claims.agency;
  const claimedRoles = claims.roles;
  if (typeof userId !== 'string' || userId.length === 0)
    throw new AppError('UNAUTHENTICATED', 'token has no subject (sub)');
  if (typeof agencyCode !== 'string' || !/^[0-9A-Z]{3}\.[0-9A-Z]{2}\.[0-9A-Z]{2}\.[A-Z][0-9]{2}$/.test(agencyCode)) {
    throw new AppError('UNAUTHENTICATED', 'token has no valid agency code (agency), e.g. 000.00.31.H56');
  }
  if (!Array.isArray(claimedRoles) || !claimedRoles.every((r) => typeof r === 'string')) {
    throw new AppError('UNAUTHENTICATED', 'token has no roles array (roles)');
  }
  const known = claimedRoles.filter((r): r is Role => (roles as readonly string[]).includes(r));
  const identity: Identity = { userId, agencyCode, roles: known };
  if (typeof claims.unit === 'string') identity.unitCode = claims.unit;
  if (typeof claims.name === 'string') identity.name = claims.name;
  return identity;
}

export function hasRole(identity: Identity, ...wanted: Role[]): boolean {
  return wanted.some((role) => identity.roles.includes(role));
}

export function requireRole(identity: Identity, ...wanted: Role[]): void {
  if (!hasRole(identity, ...wanted)) throw new AppError('FORBIDDEN', `requires one of the roles: ${wanted.join(', ')}`);
}
