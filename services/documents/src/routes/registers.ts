import { contentDisposition, IdempotencyKeyHeaders, problemResponses, sendMutation } from '@vanthu/platform';
import type { ServiceApp } from '@vanthu/platform';
import { createRegister } from '../registers/create-register';
import { exportRegister } from '../registers/export-register';
import { registerDocument } from '../registers/register-document';
import { listRegisters } from '../registers/list-registers';
import { documentsContext } from '../context';
import type { DocumentsServices } from '../context';
import { DocumentIdParams } from '../schemas/document';
import {
  NewRegister,
  Register,
  RegisterExportQuery,
  RegisterIdParams,
  RegisterList,
  RegistrationRequest,
  RegistrationResult,
} from '../schemas/register';

export type RegisterRoutesDeps = DocumentsServices;

export async function registerRoutes(app: ServiceApp, deps: RegisterRoutesDeps): Promise<void> {
  app.post(
    '/v1/registers',
    {
      schema: {
        operationId: 'createRegister',
        tags: ['registers'],
        summary: 'Open a register (sổ đăng ký văn bản đi/đến) with its own yearly number series',
        headers: IdempotencyKeyHeaders,
        body: NewRegister,
        response: { 201: Register, ...problemResponses(400, 401, 403, 409) },
      },
    },
    async (request, reply) => {
      const outcome = await createRegister(
        { register: request.body },
        documentsContext(request, deps, 'createRegister'),
      );
      return sendMutation(reply, outcome, { status: 201, location: `/v1/registers/${outcome.result.id}` });
    },
  );

  app.get(
    '/v1/registers',
    {
      schema: {
        operationId: 'listRegisters',
        tags: ['registers'],
        summary: 'The agency’s registers',
        response: { 200: RegisterList, ...problemResponses(401) },
      },
    },
    async (request) => ({ items: await listRegisters({}, documentsContext(request, deps, 'listRegisters')) }),
  );

  app.post(
    '/v1/documents/:id/registration',
    {
      schema: {
        operationId: 'registerDocument',
        tags: ['registers'],
        summary:
          'Enter the document in a register: assigns số (or số đến), ký hiệu and mã định danh; draft → registered',
        params: DocumentIdParams,
        headers: IdempotencyKeyHeaders,
        body: RegistrationRequest,
        response: {
          201: RegistrationResult,
          ...problemResponses(400, 401, 403, 404, 409, 422, 503),
        },
      },
    },
    async (request, reply) =>
      sendMutation(
        reply,
        await registerDocument(
          { documentId: request.params.id, request: request.body },
          documentsContext(request, deps, 'registerDocument'),
        ),
        { status: 201 },
      ),
  );

  app.get(
    '/v1/registers/:id/export',
    {
      schema: {
        operationId: 'exportRegister',
        tags: ['registers'],
        summary:
          'The register for a date range as PDF or XLSX with the Phụ lục IV columns (sổ đăng ký văn bản đi/đến, or the incoming handling tracker)',
        params: RegisterIdParams,
        querystring: RegisterExportQuery,
        response: {
          200: {
            description: 'The register',
            content: {
              'application/pdf': { schema: { type: 'string', contentEncoding: 'binary' } },
              'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': {
                schema: { type: 'string', contentEncoding: 'binary' },
              },
            },
          },
          ...problemResponses(400, 401, 404, 422),
        },
      },
    },
    async (request, reply) => {
      const exported = await exportRegister(
        { registerId: request.params.id, query: request.query },
        documentsContext(request, deps, 'exportRegister'),
      );
      return reply
        .header('content-type', exported.mediaType)
        .header('content-disposition', contentDisposition('attachment', exported.fileName))
        .send(exported.bytes);
    },
  );
}
