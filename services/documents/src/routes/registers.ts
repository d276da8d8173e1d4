import { Type } from '@sinclair/typebox';
import { markReplayed, transactionRunnerFor } from '@vanthu/platform';
import type { ServiceApp } from '@vanthu/platform';
import { createRegister } from '../registers/create-register';
import { exportRegister } from '../registers/export-register';
import { issueDocument } from '../documents/issue-document';
import { recallDocument } from '../documents/recall-document';
import { updateDocumentMetadata } from '../documents/update-document-metadata';
import { registerDocument } from '../registers/register-document';
import { listRegisters } from '../registers/list-registers';
import { documentsContext } from '../context';
import type { DocumentsServices } from '../context';
import { Document, DocumentIdParams, MetadataUpdate } from '../schemas/document';
import {
  NewRegister,
  RecallRequest,
  Register,
  RegisterExportQuery,
  RegisterIdParams,
  RegisterList,
  RegistrationRequest,
  RegistrationResult,
} from '../schemas/register';
import { contentDisposition } from './content-disposition';

export type RegisterRoutesDeps = DocumentsServices;

const problem = { $ref: 'Problem#' } as const;
const idempotencyHeaders = Type.Object({
  'idempotency-key': Type.Optional(Type.String({ minLength: 8, maxLength: 128 })),
});

export async function registerRoutes(app: ServiceApp, deps: RegisterRoutesDeps): Promise<void> {
  const events = { topicPrefix: deps.topicPrefix, source: deps.source };

  app.post(
    '/v1/registers',
    {
      schema: {
        operationId: 'createRegister',
        tags: ['registers'],
        summary: 'Open a register (sổ đăng ký văn bản đi/đến) with its own yearly number series',
        headers: idempotencyHeaders,
        body: NewRegister,
        response: { 201: Register, 400: problem, 401: problem, 403: problem, 409: problem },
      },
    },
    async (request, reply) => {
      const { register, replayed } = await createRegister(
        { identity: request.identity, register: request.body, requestId: request.id },
        { runInTransaction: transactionRunnerFor(request, deps.pool, 'createRegister', request.body), ...events },
      );
      return markReplayed(reply, replayed)
        .status(201)
        .header('location', `/v1/registers/${register.id}`)
        .send(register);
    },
  );

  app.get(
    '/v1/registers',
    {
      schema: {
        operationId: 'listRegisters',
        tags: ['registers'],
        summary: 'The agency’s registers',
        response: { 200: RegisterList, 401: problem },
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
        headers: idempotencyHeaders,
        body: RegistrationRequest,
        response: {
          201: RegistrationResult,
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
      const { outcome, replayed } = await deps.numbering.run(() =>
        registerDocument(
          { identity: request.identity, documentId: request.params.id, request: request.body, requestId: request.id },
          {
            runInTransaction: transactionRunnerFor(
              request,
              deps.pool,
              'registerDocument',
              request.params.id,
              request.body,
            ),
            ...events,
          },
        ),
      );
      return markReplayed(reply, replayed).status(201).send(outcome);
    },
  );

  app.post(
    '/v1/documents/:id/issue',
    {
      schema: {
        operationId: 'issueDocument',
        tags: ['registers'],
        summary: 'Release a registered outgoing document (phát hành); registered → issued',
        params: DocumentIdParams,
        headers: idempotencyHeaders,
        response: { 200: Document, 401: problem, 403: problem, 404: problem, 409: problem, 422: problem },
      },
    },
    async (request, reply) => {
      const { document, replayed } = await issueDocument(
        { identity: request.identity, documentId: request.params.id, requestId: request.id },
        { runInTransaction: transactionRunnerFor(request, deps.pool, 'issueDocument', request.params.id), ...events },
      );
      return markReplayed(reply, replayed).send(document);
    },
  );

  app.patch(
    '/v1/documents/:id/metadata',
    {
      schema: {
        operationId: 'updateDocumentMetadata',
        tags: ['documents'],
        summary:
          'Correct metadata fields (Phụ lục VI); refused for a recalled document, and for identifying fields once registered',
        params: DocumentIdParams,
        headers: idempotencyHeaders,
        body: MetadataUpdate,
        response: { 200: Document, 400: problem, 401: problem, 404: problem, 409: problem },
      },
    },
    async (request, reply) => {
      const { document, replayed } = await updateDocumentMetadata(
        { identity: request.identity, documentId: request.params.id, update: request.body, requestId: request.id },
        {
          runInTransaction: transactionRunnerFor(
            request,
            deps.pool,
            'updateDocumentMetadata',
            request.params.id,
            request.body,
          ),
          ...events,
        },
      );
      return markReplayed(reply, replayed).send(document);
    },
  );

  app.post(
    '/v1/documents/:id/recall',
    {
      schema: {
        operationId: 'recallDocument',
        tags: ['registers'],
        summary:
          'Recall (thu hồi): freezes an issued outgoing document, or marks an incoming one its issuer recalled as revoked',
        params: DocumentIdParams,
        headers: idempotencyHeaders,
        body: RecallRequest,
        response: { 200: Document, 400: problem, 401: problem, 403: problem, 404: problem, 409: problem, 422: problem },
      },
    },
    async (request, reply) => {
      const { document, replayed } = await recallDocument(
        { identity: request.identity, documentId: request.params.id, request: request.body, requestId: request.id },
        {
          runInTransaction: transactionRunnerFor(request, deps.pool, 'recallDocument', request.params.id, request.body),
          ...events,
        },
      );
      return markReplayed(reply, replayed).send(document);
    },
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
          400: problem,
          401: problem,
          404: problem,
          422: problem,
        },
      },
    },
    async (request, reply) => {
      const exported = await exportRegister(request.identity, request.params.id, request.query, deps);
      return reply
        .header('content-type', exported.mediaType)
        .header('content-disposition', contentDisposition('attachment', exported.fileName))
        .send(exported.bytes);
    },
  );
}
