import { contextFor, IdempotencyKeyHeaders, problemResponses, sendMutation } from '@vanthu/platform';
import type { Clock, Pool, ServiceApp } from '@vanthu/platform';
import { checkPersonAssignable } from '../gating/check-person-assignable';
import { getCertificateGating } from '../gating/get-certificate-gating';
import { grantCertificateException } from '../gating/grant-certificate-exception';
import { listCertificateExceptions } from '../gating/list-certificate-exceptions';
import { revokeCertificateException } from '../gating/revoke-certificate-exception';
import { setGatingDate } from '../gating/set-gating-date';
import {
  AssignabilityQuery,
  CertificateException,
  CertificateExceptionList,
  CertificateExceptionQuery,
  ExceptionIdParams,
  GatingSetting,
  GatingSettingUpdate,
  NewCertificateException,
  PersonAssignability,
  PersonParams,
} from '../schemas/gating';

export type GatingRoutesDeps = { pool: Pool; clock?: Clock };

export async function gatingRoutes(app: ServiceApp, deps: GatingRoutesDeps): Promise<void> {
  const ctx = (request: Parameters<typeof contextFor>[0], operation: string) =>
    contextFor(request, deps.pool, operation, deps.clock);

  app.get(
    '/v1/certificate-gating',
    {
      schema: {
        operationId: 'getCertificateGating',
        tags: ['certificate gating'],
        summary: 'The date from which electronic tasks go only to people with an activated certificate',
        response: { 200: GatingSetting, ...problemResponses(401) },
      },
    },
    async (request) => getCertificateGating({}, ctx(request, 'getCertificateGating')),
  );

  app.put(
    '/v1/certificate-gating',
    {
      schema: {
        operationId: 'setGatingDate',
        tags: ['certificate gating'],
        summary: 'Set the agency’s gating date (head of the agency or administrator)',
        body: GatingSettingUpdate,
        response: { 200: GatingSetting, ...problemResponses(400, 401, 403) },
      },
    },
    async (request, reply) => sendMutation(reply, await setGatingDate(request.body, ctx(request, 'setGatingDate'))),
  );

  app.get(
    '/v1/certificate-gating/persons/:userId',
    {
      schema: {
        operationId: 'checkPersonAssignable',
        tags: ['certificate gating'],
        summary: 'Whether a person may be given electronic work, and why (certificate, exception or date)',
        params: PersonParams,
        querystring: AssignabilityQuery,
        response: { 200: PersonAssignability, ...problemResponses(400, 401) },
      },
    },
    async (request) =>
      checkPersonAssignable(
        { userId: request.params.userId, ...(request.query.at ? { at: request.query.at } : {}) },
        ctx(request, 'checkPersonAssignable'),
      ),
  );

  app.post(
    '/v1/certificate-exceptions',
    {
      schema: {
        operationId: 'grantCertificateException',
        tags: ['certificate gating'],
        summary: 'Record the head of the agency’s written permission for a person without an activated certificate',
        headers: IdempotencyKeyHeaders,
        body: NewCertificateException,
        response: { 201: CertificateException, ...problemResponses(400, 401, 403, 409, 422) },
      },
    },
    async (request, reply) => {
      const outcome = await grantCertificateException(
        { exception: request.body },
        ctx(request, 'grantCertificateException'),
      );
      return sendMutation(reply, outcome, {
        status: 201,
        location: `/v1/certificate-exceptions/${outcome.result.id}`,
      });
    },
  );

  app.get(
    '/v1/certificate-exceptions',
    {
      schema: {
        operationId: 'listCertificateExceptions',
        tags: ['certificate gating'],
        summary: 'The agency’s written exceptions, newest first',
        querystring: CertificateExceptionQuery,
        response: { 200: CertificateExceptionList, ...problemResponses(400, 401) },
      },
    },
    async (request) =>
      listCertificateExceptions(
        request.query.userId ? { userId: request.query.userId } : {},
        ctx(request, 'listCertificateExceptions'),
      ),
  );

  app.post(
    '/v1/certificate-exceptions/:id/revocation',
    {
      schema: {
        operationId: 'revokeCertificateException',
        tags: ['certificate gating'],
        summary: 'End a written exception',
        headers: IdempotencyKeyHeaders,
        params: ExceptionIdParams,
        response: { 200: CertificateException, ...problemResponses(400, 401, 403, 404) },
      },
    },
    async (request, reply) =>
      sendMutation(
        reply,
        await revokeCertificateException({ id: request.params.id }, ctx(request, 'revokeCertificateException')),
      ),
  );
}
