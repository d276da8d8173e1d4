import { Type } from '@sinclair/typebox';
import { IdempotencyKeyHeaders, memorySink, problemResponses, readUpload, sendMutation } from '@vanthu/platform';
import type { ServiceApp } from '@vanthu/platform';
import { signingContext } from '../context';
import { activateCertificate } from '../certificates/activate-certificate';
import { applyOrganisationSignature } from '../signatures/apply-organisation-signature';
import { checkCertificates } from '../certificates/check-certificates';
import { completeSigningSession } from '../signatures/complete-signing-session';
import { extendSignatures } from '../signatures/extend-signatures';
import { getCertificateAdoption } from '../certificates/get-certificate-adoption';
import { listCertificateHistory } from '../certificates/list-certificate-history';
import { listCertificates } from '../certificates/list-certificates';
import { listSignatures } from '../signatures/list-signatures';
import { prepareSigningSession } from '../signatures/prepare-signing-session';
import { reassignCertificate } from '../certificates/reassign-certificate';
import { registerCertificate } from '../certificates/register-certificate';
import { signingKeyStatus } from '../signing-keys/signing-key-status';
import { unregisterCertificate } from '../certificates/unregister-certificate';
import { uploadSignatureImage } from '../certificates/upload-signature-image';
import type { SigningDeps } from '../signatures/signing-deps';
import {
  Adoption,
  Certificate,
  CertificateCheckResult,
  CertificateHistory,
  CompleteSessionRequest,
  IdParams,
  ImageMetadata,
  ImageView,
  KeyStatusResponse,
  OrganisationSignatureRequest,
  PrepareSessionRequest,
  PreparedSession,
  ReassignCertificateRequest,
  RegisterCertificateRequest,
  UnregisterCertificateRequest,
  SessionResult,
  Signature,
} from '../schemas/signing';

export async function signingRoutes(app: ServiceApp, deps: SigningDeps): Promise<void> {
  const ctx = signingContext;
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
        headers: IdempotencyKeyHeaders,
        body: OrganisationSignatureRequest,
        response: {
          201: { $ref: 'Signature#' },
          ...problemResponses(400, 401, 403, 404, 409, 422, 503),
        },
      },
    },
    async (request, reply) =>
      sendMutation(
        reply,
        await applyOrganisationSignature(
          { ...request.body, documentId: request.params.id },
          ctx(request, deps, 'applyOrganisationSignature'),
        ),
        { status: 201 },
      ),
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
          ...problemResponses(400, 401, 403, 404, 409, 422, 503),
        },
      },
    },
    async (request, reply) =>
      sendMutation(
        reply,
        await extendSignatures(
          { documentId: request.params.id, level: request.body.level },
          ctx(request, deps, 'extendSignatures'),
        ),
        { status: 201 },
      ),
  );

  app.get(
    '/v1/documents/:id/signatures',
    {
      schema: {
        operationId: 'listDocumentSignatures',
        tags: ['signing'],
        summary: 'Signatures this service applied to a document',
        params: IdParams,
        response: { 200: Type.Array(Type.Ref(Signature)), ...problemResponses(400, 401, 404, 503) },
      },
    },
    async (request) => listSignatures({ documentId: request.params.id }, ctx(request, deps, 'listDocumentSignatures')),
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
          ...problemResponses(400, 401, 403, 404, 409, 422, 503),
        },
      },
    },
    async (request, reply) => {
      const outcome = await prepareSigningSession(request.body, ctx(request, deps, 'prepareSigningSession'));
      return sendMutation(reply, outcome, { status: 201, location: `/v1/signing-sessions/${outcome.result.id}` });
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
          ...problemResponses(400, 401, 403, 404, 409, 422, 503),
        },
      },
    },
    async (request, reply) =>
      sendMutation(
        reply,
        await completeSigningSession(
          { sessionId: request.params.id, ...request.body },
          ctx(request, deps, 'completeSigningSession'),
        ),
      ),
  );

  app.post(
    '/v1/certificates',
    {
      schema: {
        operationId: 'registerCertificate',
        tags: ['certificates'],
        summary:
          'Register your own signing certificate (checked: validity, chain, revocation); an administrator activates it. Again by the same person: the same certificate (idempotent); a released one is taken up with its history kept',
        headers: IdempotencyKeyHeaders,
        body: RegisterCertificateRequest,
        response: { 201: { $ref: 'Certificate#' }, ...problemResponses(400, 401, 409, 422, 503) },
      },
    },
    async (request, reply) =>
      sendMutation(reply, await registerCertificate(request.body, ctx(request, deps, 'registerCertificate')), {
        status: 201,
      }),
  );

  app.post(
    '/v1/certificates/:id/unregister',
    {
      schema: {
        operationId: 'unregisterCertificate',
        tags: ['certificates'],
        summary:
          'Release a certificate (its holder or an administrator; audited, event certificate.unregistered): it can no longer sign and may be registered again',
        params: IdParams,
        headers: IdempotencyKeyHeaders,
        body: UnregisterCertificateRequest,
        response: { 200: { $ref: 'Certificate#' }, ...problemResponses(400, 401, 403, 404) },
      },
    },
    async (request, reply) =>
      sendMutation(
        reply,
        await unregisterCertificate(
          { certificateId: request.params.id, ...request.body },
          ctx(request, deps, 'unregisterCertificate'),
        ),
      ),
  );

  app.post(
    '/v1/certificates/:id/reassignment',
    {
      schema: {
        operationId: 'reassignCertificate',
        tags: ['certificates'],
        summary:
          'Move a certificate to another holder of the agency (administrator, with a recorded reason; event certificate.reassigned)',
        params: IdParams,
        headers: IdempotencyKeyHeaders,
        body: ReassignCertificateRequest,
        response: { 200: { $ref: 'Certificate#' }, ...problemResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request, reply) =>
      sendMutation(
        reply,
        await reassignCertificate(
          { certificateId: request.params.id, ...request.body },
          ctx(request, deps, 'reassignCertificate'),
        ),
      ),
  );

  app.get(
    '/v1/certificates/:id/history',
    {
      schema: {
        operationId: 'listCertificateHistory',
        tags: ['certificates'],
        summary:
          'Who held the certificate when, and every change with who made it and why (holders and administrators)',
        params: IdParams,
        response: { 200: CertificateHistory, ...problemResponses(400, 401, 404) },
      },
    },
    async (request) =>
      listCertificateHistory({ certificateId: request.params.id }, ctx(request, deps, 'listCertificateHistory')),
  );

  app.post(
    '/v1/certificates/checks',
    {
      schema: {
        operationId: 'checkCertificates',
        tags: ['certificates'],
        summary:
          "Check the agency's registered and active certificates now (administrator): expired or revoked ones are suspended (event certificate.suspended). The service also runs this periodically",
        response: { 200: CertificateCheckResult, ...problemResponses(401, 403) },
      },
    },
    async (request) => checkCertificates({}, ctx(request, deps, 'checkCertificates')),
  );

  app.get(
    '/v1/certificates',
    {
      schema: {
        operationId: 'listCertificates',
        tags: ['certificates'],
        summary: 'Your certificates (all of the agency for administrators)',
        response: { 200: Type.Array(Type.Ref(Certificate)), ...problemResponses(401) },
      },
    },
    async (request) => listCertificates({}, ctx(request, deps, 'listCertificates')),
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
        response: { 200: Adoption, ...problemResponses(401, 403) },
      },
    },
    async (request) => getCertificateAdoption(request.query, ctx(request, deps, 'certificateAdoption')),
  );

  app.post(
    '/v1/certificates/:id/activate',
    {
      schema: {
        operationId: 'activateCertificate',
        tags: ['certificates'],
        summary: 'Activate a registered certificate (administrator; audited)',
        params: IdParams,
        headers: IdempotencyKeyHeaders,
        response: { 200: { $ref: 'Certificate#' }, ...problemResponses(400, 401, 403, 404, 409, 422) },
      },
    },
    async (request, reply) =>
      sendMutation(
        reply,
        await activateCertificate({ certificateId: request.params.id }, ctx(request, deps, 'activateCertificate')),
      ),
  );

  app.get(
    '/v1/signing-keys',
    {
      schema: {
        operationId: 'signingKeyStatus',
        tags: ['signing'],
        summary:
          'Organisation keys of the agency that can seal (generated through the API or listed in the configuration): which one is in use, online, certificate expiry, usage count (administrator)',
        response: { 200: KeyStatusResponse, ...problemResponses(401, 403) },
      },
    },
    async (request) => signingKeyStatus({}, ctx(request, deps, 'signingKeyStatus')),
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
          ...problemResponses(400, 401, 403, 413, 415, 422),
        },
      },
    },
    async (request, reply) => {
      const { metadata, file } = await readUpload(request, ImageMetadata, memorySink);
      const outcome = await uploadSignatureImage(
        { png: file, ...metadata },
        ctx(request, deps, 'uploadSignatureImage'),
      );
      return sendMutation(reply, outcome, { status: 201 });
    },
  );
}
