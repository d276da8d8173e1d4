import { createDecoder, createVerifier } from 'fast-jwt';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError, cacheVerifications, createIdentitySigner, identityFromClaims } from '@vanthu/platform';
import type { Identity } from '@vanthu/platform';
import type { IssuerConfig } from '../config';
import { createKeyResolver } from './issuer-keys';

declare module 'fastify' {
  interface FastifyRequest {
    verifiedIdentity?: Identity;
    identityAssertion?: string;
  }
}

type Decoded = { header: { kid?: string; alg?: string }; payload: Record<string, unknown> };
type Verify = (token: string) => Record<string, unknown>;

/** A verified caller's assertion is reused for this long: it still has four of its five minutes to live. */
const assertionReuseMs = 60_000;
const assertionCacheSize = 10_000;
/** Tolerance for the issuer's clock, on `exp` and `nbf`. */
const clockToleranceMs = 30_000;

/**
 * Verifies the caller's bearer JWT (RS256/ES256, issuer allow-list, expiry, the issuer's audience when it has
 * one) and replaces it with a short-lived identity assertion signed by the gateway's own key.
 *
 * A token is verified (signature, expiry, issuer, audience) once a minute at most and never reused past its expiry
 * (`cacheVerifications`); also cached: one fast-jwt verifier per issuer key (the key parsed once), and the
 * gateway's signed assertion for a token verified in the last minute (an ES256 signature per request was a tenth of
 * the gateway's CPU).
 */
export async function registerAuthentication(
  app: FastifyInstance,
  issuers: IssuerConfig[],
  identityPrivateKey: string,
): Promise<void> {
  const resolveKey = createKeyResolver(issuers);
  const byIssuer = new Map(issuers.map((issuer) => [issuer.issuer, issuer]));
  const decode = createDecoder({ complete: true }) as (token: string) => Decoded;
  // Keyed by issuer and key text, so a JWKS key rotation makes a new verifier and never reuses the old one.
  const verifiers = new Map<string, Verify>();
  const verifierFor = (issuer: IssuerConfig, key: string): Verify => {
    const cacheKey = `${issuer.issuer}\u0000${key}`;
    let verify = verifiers.get(cacheKey);
    if (!verify) {
      verify = createVerifier({
        key,
        algorithms: ['RS256', 'ES256'],
        allowedIss: issuer.issuer,
        // An issuer with an audience requires it: a token without `aud` is not meant for us.
        ...(issuer.audience !== undefined ? { allowedAud: issuer.audience } : {}),
        requiredClaims: issuer.audience !== undefined ? ['exp', 'iss', 'sub', 'aud'] : ['exp', 'iss', 'sub'],
        clockTolerance: clockToleranceMs,
      }) as Verify;
      verifiers.set(cacheKey, verify);
    }
    return verify;
  };
  const signIdentity = createIdentitySigner(identityPrivateKey);
  const assertions = new Map<string, { identity: Identity; assertion: string; until: number }>();

  const verifyToken = cacheVerifications(
    async (token: string): Promise<Record<string, unknown>> => {
      let decoded: Decoded;
      try {
        decoded = decode(token);
      } catch (error) {
        throw new AppError('UNAUTHENTICATED', `token is invalid: ${(error as Error).message}`);
      }
      const issuerName = decoded.payload.iss;
      if (typeof issuerName !== 'string') throw new AppError('UNAUTHENTICATED', 'token has no issuer (iss)');
      const issuer = byIssuer.get(issuerName);
      let key: string;
      try {
        if (!issuer) throw new Error(`issuer ${issuerName} is not trusted`);
        key = await resolveKey(issuerName, decoded.header);
      } catch (error) {
        throw new AppError(
          'UNAUTHENTICATED',
          `token issuer is not trusted or its key is unavailable: ${(error as Error).message}`,
        );
      }
      try {
        return verifierFor(issuer, key)(token);
      } catch (error) {
        const code = (error as { code?: string }).code ?? '';
        const reason = code.includes('EXPIRED') ? 'token has expired' : 'token is invalid';
        throw new AppError('UNAUTHENTICATED', `${reason}: ${(error as Error).message}`);
      }
    },
    { clockToleranceMs: clockToleranceMs },
  );

  app.decorate('authenticate', async (request: FastifyRequest) => {
    const header = request.headers.authorization;
    if (typeof header !== 'string' || !/^Bearer\s+\S+$/i.test(header)) {
      throw new AppError('UNAUTHENTICATED', 'send Authorization: Bearer <JWT>');
    }
    const token = header.slice(header.search(/\S+$/));
    const claims = await verifyToken(token);
    const now = Date.now();
    const cached = assertions.get(token);
    if (cached && cached.until > now) {
      request.verifiedIdentity = cached.identity;
      request.identityAssertion = cached.assertion;
      return;
    }
    const identity = identityFromClaims(claims);
    const assertion = signIdentity(identity);
    if (assertions.size >= assertionCacheSize) assertions.delete(assertions.keys().next().value as string);
    assertions.set(token, { identity, assertion, until: now + assertionReuseMs });
    request.verifiedIdentity = identity;
    request.identityAssertion = assertion;
  });
}

declare module 'fastify' {
  interface FastifyInstance {
    authenticate: (request: FastifyRequest) => Promise<void>;
  }
}
