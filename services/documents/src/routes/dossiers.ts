import { contentDisposition, IdempotencyKeyHeaders, markReplayed, transactionRunnerFor } from '@vanthu/platform';
import { Type } from '@sinclair/typebox';
import type { Pool, ServiceApp } from '@vanthu/platform';
import { addDocumentToDossier } from '../dossiers/add-document-to-dossier';
import { closeDossier } from '../dossiers/close-dossier';
import { createDossier } from '../dossiers/create-dossier';
import { exportDossier } from '../dossiers/export-dossier';
import { getDossier, listDossierCatalogue } from '../dossiers/get-dossier';
import {
  AddToDossier,
  Dossier,
  DossierIdParams,
  DossierListQuery,
  DossierSummary,
  NewDossier,
} from '../schemas/dossier';
import type { BlobStore } from '../storage/blob-store';

const problem = { $ref: 'Problem#' } as const;

export async function dossierRoutes(
  app: ServiceApp,
  deps: { pool: Pool; blobs: BlobStore; topicPrefix: string; source: string },
): Promise<void> {
  const events = { topicPrefix: deps.topicPrefix, source: deps.source };

  app.post(
    '/v1/dossiers',
    {
      schema: {
        operationId: 'createDossier',
        tags: ['dossiers'],
        summary: 'Open a dossier (hồ sơ công việc) in the yearly Danh mục hồ sơ',
        headers: IdempotencyKeyHeaders,
        body: NewDossier,
        response: { 201: Dossier, 400: problem, 401: problem, 409: problem },
      },
    },
    async (request, reply) => {
      const { dossier, replayed } = await createDossier(
        { identity: request.identity, dossier: request.body, requestId: request.id },
        { runInTransaction: transactionRunnerFor(request, deps.pool, 'createDossier', request.body), ...events },
      );
      return markReplayed(reply, replayed).status(201).header('location', `/v1/dossiers/${dossier.id}`).send(dossier);
    },
  );

  app.get(
    '/v1/dossiers',
    {
      schema: {
        operationId: 'listDossiers',
        tags: ['dossiers'],
        summary: 'The Danh mục hồ sơ (optionally of one year), or the dossiers whose hand-over falls due within N days',
        querystring: DossierListQuery,
        response: { 200: Type.Object({ items: Type.Array(DossierSummary) }), 400: problem, 401: problem },
      },
    },
    async (request) => ({ items: await listDossierCatalogue(request.identity, request.query, deps) }),
  );

  app.get(
    '/v1/dossiers/:id',
    {
      schema: {
        operationId: 'getDossier',
        tags: ['dossiers'],
        summary: 'A dossier with its documents in order',
        params: DossierIdParams,
        response: { 200: Dossier, 400: problem, 401: problem, 404: problem },
      },
    },
    async (request) => getDossier(request.identity, request.params.id, deps),
  );

  app.post(
    '/v1/dossiers/:id/documents',
    {
      schema: {
        operationId: 'addDocumentToDossier',
        tags: ['dossiers'],
        summary: 'File a document in the dossier under the next ordinal (the document is referenced, not copied)',
        params: DossierIdParams,
        headers: IdempotencyKeyHeaders,
        body: AddToDossier,
        response: { 201: Dossier, 400: problem, 401: problem, 404: problem, 409: problem, 422: problem },
      },
    },
    async (request, reply) => {
      const { dossier, replayed } = await addDocumentToDossier(
        {
          identity: request.identity,
          dossierId: request.params.id,
          documentId: request.body.documentId,
          requestId: request.id,
        },
        {
          runInTransaction: transactionRunnerFor(
            request,
            deps.pool,
            'addDocumentToDossier',
            request.params.id,
            request.body,
          ),
          blobs: deps.blobs,
          ...events,
        },
      );
      return markReplayed(reply, replayed).status(201).send(dossier);
    },
  );

  app.post(
    '/v1/dossiers/:id/close',
    {
      schema: {
        operationId: 'closeDossier',
        tags: ['dossiers'],
        summary: 'Close the dossier; hand-over to the agency archive falls due within one year',
        params: DossierIdParams,
        headers: IdempotencyKeyHeaders,
        response: { 200: Dossier, 401: problem, 404: problem, 409: problem },
      },
    },
    async (request, reply) => {
      const { dossier, replayed } = await closeDossier(
        { identity: request.identity, dossierId: request.params.id, requestId: request.id },
        { runInTransaction: transactionRunnerFor(request, deps.pool, 'closeDossier', request.params.id), ...events },
      );
      return markReplayed(reply, replayed).send(dossier);
    },
  );

  app.get(
    '/v1/dossiers/:id/export',
    {
      schema: {
        operationId: 'exportDossier',
        tags: ['dossiers'],
        summary:
          'The dossier as one PDF package: table of contents, the documents in order, metadata.json and metadata.xml attached',
        params: DossierIdParams,
        response: {
          200: {
            description: 'The package',
            content: { 'application/pdf': { schema: { type: 'string', contentEncoding: 'binary' } } },
          },
          400: problem,
          401: problem,
          404: problem,
          500: problem,
        },
      },
    },
    async (request, reply) => {
      const exported = await exportDossier(request.identity, request.params.id, deps);
      return reply
        .header('content-type', 'application/pdf')
        .header('content-disposition', contentDisposition('attachment', exported.fileName))
        .send(exported.bytes);
    },
  );
}
