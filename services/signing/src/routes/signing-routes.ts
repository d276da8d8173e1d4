import { Type } from '@sinclair/typebox';
import { AppError, markReplayed, withTransaction } from '@vanthu/platform';
import type { ServiceApp } from '@vanthu/platform';
import { applyOrganisationSignature } from '../domain/apply-organisation-signature';
import { completeSigningSession } from '../domain/complete-signing-session';
import { extendSignatures } from '../domain/extend-signatures';
import {
  activateRegisteredCertificate,
  certificateAdoption,
  listCertificates,
  registerCertificate,
} from '../domain/manage-certificates';
import { uploadSignatureImage } from '../domain/manage-signature-images';
import { prepareSigningSession } from '../domain/prepare-signing-session';
import { signingKeyStatus } from '../domain/signing-key-status';
import type { SigningDeps } from '../domain/signing-deps';
import { signaturesOf } from '../repositories/signatures-repository';
import {
  Adoption,
  Certificate,
  CompleteSessionRequest,
  IdParams,
  ImageMetadata,
  ImageView,
  KeyStatusResponse,
  OrganisationSignatureRequest,
  PrepareSessionRequest,
  PreparedSession,
  RegisterCertificateRequest,
  SessionResult,
  Signature,
} from '../schemas/signing';
import { callerOf } from './caller';
import { Value } from '@sinclair/typebox/value';

const problem = { $ref: 'Problem#' } as const;

export async function signingRoutes(app: ServiceApp, deps: SigningDeps): Promise<void> {
  app.addSchema(Signature);
  app.addSchema(PreparedSession);
  app.addSchema(SessionResult);
  app.addSchema(Certificate);

  app.post(
    '/v1/documents/:id/signatures',
    {
      schema: {
        operationId: 'applyOrganisationSignature',
        tags: ['signing'],
        summary: 'Sign the current version with the agency organisation key in the HSM and store the next version',
        params: IdParams,
        headers: Type.Object({ 'idempotency-key': Type.Optional(Type.String({ minLength: 8, maxLength: 128 })) }),
        body: OrganisationSignatureRequest,
        response: {
          201: { $ref: 'Signature#' },
          400: problem,
          401: problem,
          403: problem,
          404: problem,
          409: problem,
          422: problem,
          503: problem,
        },
      },
    },
    async (request, reply) => {
      const body = request.body;
      const key = request.headers['idempotency-key'];
      const { signature, replayed } = await applyOrganisationSignature(
        { ...body, documentId: request.params.id, level: body.level ?? 'B-LT' },
        callerOf(request),
        deps,
        typeof key === 'string' ? key : undefined,
      );
      return markReplayed(reply, replayed).status(201).send(signature);
    },
  );

  app.post(
    '/v1/documents/:id/signatures/extend',
    {
      schema: {
        operationId: 'extendSignatures',
        tags: ['signing'],
        summary:
          'Extend the signatures of the current version to B-LT (DSS, VRI) or B-LTA (plus a document time-stamp); stores the next version',
        params: IdParams,
        body: Type.Object(
          { level: Type.Union([Type.Literal('B-LT'), Type.Literal('B-LTA')]) },
          { additionalProperties: false },
        ),
        response: {
          201: Type.Object({
            documentId: Type.String(),
            level: Type.String(),
            signedVersion: Type.Integer(),
            version: Type.Integer(),
            sha256: Type.String(),
            signatures: Type.Integer(),
          }),
          400: problem,
          401: problem,
          403: problem,
          404: problem,
          409: problem,
          422: problem,
          503: problem,
        },
      },
    },
    async (request, reply) =>
      reply.status(201).send(await extendSignatures(request.params.id, request.body.level, callerOf(request), deps)),
  );

  app.get(
    '/v1/documents/:id/signatures',
    {
      schema: {
        operationId: 'listDocumentSignatures',
        tags: ['signing'],
        summary: 'Signatures this service applied to a document',
        params: IdParams,
        response: { 200: Type.Array(Type.Ref(Signature)), 401: problem },
      },
    },
    async (request) =>
      withTransaction(deps.pool, (tx) => signaturesOf(tx, request.identity.agencyCode, request.params.id)),
  );

  app.post(
    '/v1/signing-sessions',
    {
      schema: {
        operationId: 'prepareSigningSession',
        tags: ['signing'],
        summary: 'Two-step signing with a personal token: prepare up to 200 documents and get the bytes to sign',
        body: PrepareSessionRequest,
        response: {
          201: { $ref: 'PreparedSigningSession#' },
          400: problem,
          401: problem,
          403: problem,
          404: problem,
          409: problem,
          422: problem,
          503: problem,
        },
      },
    },
    async (request, reply) => {
      const body = request.body;
      const session = await prepareSigningSession(
        { ...body, level: body.level ?? 'B-LT', scheme: body.scheme ?? 'rsa-pkcs1' } as Parameters<
          typeof prepareSigningSession
        >[0],
        callerOf(request),
        deps,
      );
      return reply.status(201).header('location', `/v1/signing-sessions/${session.id}`).send(session);
    },
  );

  app.post(
    '/v1/signing-sessions/:id/complete',
    {
      schema: {
        operationId: 'completeSigningSession',
        tags: ['signing'],
        summary:
          'Send the token signature values (or CMS) and certificate chain; embeds them and stores each next version. Idempotent.',
        params: IdParams,
        body: CompleteSessionRequest,
        response: {
          200: { $ref: 'SigningSessionResult#' },
          400: problem,
          401: problem,
          403: problem,
          404: problem,
          409: problem,
          422: problem,
          503: problem,
        },
      },
    },
    async (request) =>
      completeSigningSession(
        { sessionId: request.params.id, ...request.body } as Parameters<typeof completeSigningSession>[0],
        callerOf(request),
        deps,
      ),
  );

  app.post(
    '/v1/certificates',
    {
      schema: {
        operationId: 'registerCertificate',
        tags: ['certificates'],
        summary:
          'Register your own signing certificate (checked: validity, chain, revocation); an administrator activates it',
        body: RegisterCertificateRequest,
        response: {
          201: { $ref: 'Certificate#' },
          400: problem,
          401: problem,
          409: problem,
          422: problem,
          503: problem,
        },
      },
    },
    async (request, reply) =>
      reply.status(201).send(await registerCertificate(request.body.certificate, callerOf(request), deps)),
  );

  app.get(
    '/v1/certificates',
    {
      schema: {
        operationId: 'listCertificates',
        tags: ['certificates'],
        summary: 'Your certificates (all of the agency for administrators)',
        response: { 200: Type.Array(Type.Ref(Certificate)), 401: problem },
      },
    },
    async (request) => listCertificates(callerOf(request), deps),
  );

  app.get(
    '/v1/certificates/adoption',
    {
      schema: {
        operationId: 'certificateAdoption',
        tags: ['certificates'],
        summary: 'Staff with registered and activated certificates per agency',
        querystring: Type.Object(
          { agency: Type.Optional(Type.String({ maxLength: 13 })) },
          { additionalProperties: false },
        ),
        response: { 200: Adoption, 401: problem, 403: problem },
      },
    },
    async (request) => certificateAdoption(request.query.agency, callerOf(request), deps),
  );

  app.post(
    '/v1/certificates/:id/activate',
    {
      schema: {
        operationId: 'activateCertificate',
        tags: ['certificates'],
        summary: 'Activate a registered certificate (administrator)',
        params: IdParams,
        response: {
          200: { $ref: 'Certificate#' },
          401: problem,
          403: problem,
          404: problem,
          409: problem,
          422: problem,
        },
      },
    },
    async (request) => activateRegisteredCertificate(request.params.id, callerOf(request), deps),
  );

  app.get(
    '/v1/signing-keys',
    {
      schema: {
        operationId: 'signingKeyStatus',
        tags: ['signing'],
        summary: 'Organisation keys: online, certificate expiry, usage count (administrator)',
        response: { 200: KeyStatusResponse, 401: problem, 403: problem },
      },
    },
    async (request) => signingKeyStatus(callerOf(request), deps),
  );

  app.post(
    '/v1/signature-images',
    {
      schema: {
        operationId: 'uploadSignatureImage',
        tags: ['signing'],
        summary: 'Upload a handwritten-signature (blue) or seal (red) PNG with transparency',
        consumes: ['multipart/form-data'],
        body: Type.Object(
          {
            file: Type.String({ contentEncoding: 'binary' }),
            metadata: Type.String({ contentMediaType: 'application/json', description: 'JSON of {kind, widthMm?}' }),
          },
          { 'x-multipart': true },
        ),
        response: {
          201: ImageView,
          400: problem,
          401: problem,
          403: problem,
          413: problem,
          415: problem,
          422: problem,
        },
      },
    },
    async (request, reply) => {
      let file: Buffer | undefined;
      let metadata: unknown;
      for await (const part of request.parts()) {
        if (part.type === 'file' && part.fieldname === 'file') file = await part.toBuffer();
        else if (part.type === 'field' && part.fieldname === 'metadata') {
          try {
            metadata = JSON.parse(String(part.value));
          } catch {
            throw new AppError('VALIDATION_FAILED', 'metadata must be JSON', {
              errors: [{ field: 'metadata', message: 'not valid JSON' }],
            });
          }
        }
      }
      if (!file)
        throw new AppError('VALIDATION_FAILED', 'the multipart field file is required', {
          errors: [{ field: 'file', message: 'required' }],
        });
      if (!Value.Check(ImageMetadata, metadata)) {
        throw new AppError('VALIDATION_FAILED', 'metadata is invalid', {
          errors: [...Value.Errors(ImageMetadata, metadata)].map((e) => ({
            field: `metadata${e.path.replace(/\//g, '.')}`,
            message: e.message,
          })),
        });
      }
      return reply.status(201).send(await uploadSignatureImage(file, metadata, callerOf(request), deps));
    },
  );
}
