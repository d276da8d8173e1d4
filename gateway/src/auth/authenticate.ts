import jwt from '@fastify/jwt';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError, createIdentitySigner, identityFromClaims } from '@vanthu/platform';
import type { Identity } from '@vanthu/platform';
import type { IssuerConfig } from '../config';
import { createKeyResolver } from './issuer-keys';

declare module 'fastify' {
  interface FastifyRequest {
    verifiedIdentity?: Identity;
    identityAssertion?: string;
  }
}

type DecodedToken = { header: { kid?: string; alg?: string }; payload: { iss?: unknown } };

/**
 * Verifies the caller's bearer JWT (RS256/ES256, issuer allow-list, expiry, optional audience)
 * and replaces it with a short-lived identity assertion signed by the gateway's own key.
 */
export async function registerAuthentication(
  app: FastifyInstance,
  issuers: IssuerConfig[],
  identityPrivateKey: string,
): Promise<void> {
  const resolveKey = createKeyResolver(issuers);
  const audiences = issuers.map((i) => i.audience).filter((a): a is string => a !== undefined);
  await app.register(jwt, {
    secret: {
      public: async (_request: FastifyRequest, token: unknown) => {
        const decoded = token as DecodedToken;
        if (typeof decoded.payload.iss !== 'string') throw new AppError('UNAUTHENTICATED', 'token has no issuer (iss)');
        try {
          return await resolveKey(decoded.payload.iss, decoded.header);
        } catch (error) {
          throw new AppError(
            'UNAUTHENTICATED',
            `token issuer is not trusted or its key is unavailable: ${(error as Error).message}`,
          );
        }
      },
    } as unknown as { public: string },
    decode: { complete: true },
    verify: {
      algorithms: ['RS256', 'ES256'],
      allowedIss: issuers.map((i) => i.issuer),
      ...(audiences.length > 0 ? { allowedAud: audiences } : {}),
      requiredClaims: ['exp', 'iss', 'sub'],
      clockTolerance: 30,
    },
  });
  const signIdentity = createIdentitySigner(identityPrivateKey);

  app.decorate('authenticate', async (request: FastifyRequest) => {
    const header = request.headers.authorization;
    if (typeof header !== 'string' || !/^Bearer\s+\S+$/i.test(header)) {
      throw new AppError('UNAUTHENTICATED', 'send Authorization: Bearer <JWT>');
    }
    let claims: Record<string, unknown>;
    try {
      claims = await request.jwtVerify<Record<string, unknown>>();
    } catch (error) {
      if (error instanceof AppError) throw error;
      const code = (error as { code?: string }).code ?? '';
      const reason = code.includes('EXPIRED')
        ? 'token has expired'
        : code.includes('UNTRUSTED')
          ? 'token is not trusted'
          : 'token is invalid';
      throw new AppError('UNAUTHENTICATED', `${reason}: ${(error as Error).message}`);
    }
    const identity = identityFromClaims(claims);
    request.verifiedIdentity = identity;
    request.identityAssertion = signIdentity(identity, request.id);
  });
}

declare module 'fastify' {
  interface FastifyInstance {
    authenticate: (request: FastifyRequest) => Promise<void>;
  }
}
