import { IdempotencyKeyHeaders, problemResponses, sendMutation } from '@vanthu/platform';
import type { ServiceApp } from '@vanthu/platform';
import { signingContext } from '../context';
import { attachSigningKeyCertificate } from '../signing-keys/attach-signing-key-certificate';
import { generateSigningKey } from '../signing-keys/generate-signing-key';
import { getSigningKey } from '../signing-keys/get-signing-key';
import { retireSigningKey } from '../signing-keys/retire-signing-key';
import { rotateSigningKey } from '../signing-keys/rotate-signing-key';
import type { SigningDeps } from '../signatures/signing-deps';
import { IdParams } from '../schemas/signing';
import {
  AttachCertificateRequest,
  GenerateSigningKeyRequest,
  RetireSigningKeyRequest,
  RotateSigningKeyRequest,
  SigningKey,
} from '../schemas/signing-keys';

/** Agency onboarding: organisation seal keys generated in the HSM, certified by the CA, rotated and retired. */
export async function signingKeyRoutes(app: ServiceApp, deps: SigningDeps): Promise<void> {
  const ctx = signingContext;
  app.addSchema(SigningKey);

  app.post(
    '/v1/signing-keys',
    {
      schema: {
        operationId: 'generateSigningKey',
        tags: ['signing'],
        summary:
          "Generate the agency's organisation seal key pair inside the HSM (administrator); answers the PKCS#10 request for the CA, with the agency's name and mã định danh",
        headers: IdempotencyKeyHeaders,
        body: GenerateSigningKeyRequest,
        response: { 201: { $ref: 'SigningKey#' }, ...problemResponses(400, 401, 403, 409, 422, 503) },
      },
    },
    async (request, reply) => {
      const outcome = await generateSigningKey(request.body, ctx(request, deps, 'generateSigningKey'));
      return sendMutation(reply, outcome, { status: 201, location: `/v1/signing-keys/${outcome.result.id}` });
    },
  );

  app.get(
    '/v1/signing-keys/:id',
    {
      schema: {
        operationId: 'getSigningKey',
        tags: ['signing'],
        summary: 'One of the agency’s seal keys with its certification request and certificate (administrator)',
        params: IdParams,
        response: { 200: { $ref: 'SigningKey#' }, ...problemResponses(400, 401, 403, 404) },
      },
    },
    async (request) => getSigningKey({ signingKeyId: request.params.id }, ctx(request, deps, 'getSigningKey')),
  );

  app.put(
    '/v1/signing-keys/:id/certificate',
    {
      schema: {
        operationId: 'attachSigningKeyCertificate',
        tags: ['signing'],
        summary:
          "Attach the CA's certificate to a seal key and activate it (administrator): its public key must be the HSM key's, and it must chain to the trust store and not be revoked",
        params: IdParams,
        body: AttachCertificateRequest,
        response: { 200: { $ref: 'SigningKey#' }, ...problemResponses(400, 401, 403, 404, 409, 422, 503) },
      },
    },
    async (request, reply) =>
      sendMutation(
        reply,
        await attachSigningKeyCertificate(
          { signingKeyId: request.params.id, ...request.body },
          ctx(request, deps, 'attachSigningKeyCertificate'),
        ),
      ),
  );

  app.post(
    '/v1/signing-keys/:id/rotation',
    {
      schema: {
        operationId: 'rotateSigningKey',
        tags: ['signing'],
        summary:
          'Rotate an active seal key before it expires (administrator): a new key pair in the HSM and its PKCS#10 request; the old key seals until the new one’s certificate is attached, and stays valid during the overlap',
        params: IdParams,
        headers: IdempotencyKeyHeaders,
        body: RotateSigningKeyRequest,
        response: { 201: { $ref: 'SigningKey#' }, ...problemResponses(400, 401, 403, 404, 409, 422, 503) },
      },
    },
    async (request, reply) => {
      const outcome = await rotateSigningKey(
        { signingKeyId: request.params.id, ...request.body },
        ctx(request, deps, 'rotateSigningKey'),
      );
      return sendMutation(reply, outcome, { status: 201, location: `/v1/signing-keys/${outcome.result.id}` });
    },
  );

  app.post(
    '/v1/signing-keys/:id/retirement',
    {
      schema: {
        operationId: 'retireSigningKey',
        tags: ['signing'],
        summary:
          'Retire a seal key (administrator): it never seals again and cannot be activated again; signatures made with it stay valid',
        params: IdParams,
        headers: IdempotencyKeyHeaders,
        body: RetireSigningKeyRequest,
        response: { 200: { $ref: 'SigningKey#' }, ...problemResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request, reply) =>
      sendMutation(
        reply,
        await retireSigningKey(
          { signingKeyId: request.params.id, ...request.body },
          ctx(request, deps, 'retireSigningKey'),
        ),
      ),
  );
}
