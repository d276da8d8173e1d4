import { contentDisposition, IdempotencyKeyHeaders, problemResponses, sendMutation } from '@vanthu/platform';
import { Type } from '@sinclair/typebox';
import type { ServiceApp } from '@vanthu/platform';
import { documentsContext } from '../context';
import type { DocumentsServices } from '../context';
import { addDocumentToDossier } from '../dossiers/add-document-to-dossier';
import { closeDossier } from '../dossiers/close-dossier';
import { createDossier } from '../dossiers/create-dossier';
import { exportDossier } from '../dossiers/export-dossier';
import { getDossier } from '../dossiers/get-dossier';
import { listDossierCatalogue } from '../dossiers/list-dossier-catalogue';
import {
  AddToDossier,
  Dossier,
  DossierIdParams,
  DossierListQuery,
  DossierSummary,
  NewDossier,
} from '../schemas/dossier';

export async function dossierRoutes(app: ServiceApp, deps: DocumentsServices): Promise<void> {
  app.post(
    '/v1/dossiers',
    {
      schema: {
        operationId: 'createDossier',
        tags: ['dossiers'],
        summary: 'Open a dossier (hồ sơ công việc) in the yearly Danh mục hồ sơ',
        headers: IdempotencyKeyHeaders,
        body: NewDossier,
        response: { 201: Dossier, ...problemResponses(400, 401, 409) },
      },
    },
    async (request, reply) => {
      const outcome = await createDossier({ dossier: request.body }, documentsContext(request, deps, 'createDossier'));
      return sendMutation(reply, outcome, { status: 201, location: `/v1/dossiers/${outcome.result.id}` });
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
        response: { 200: Type.Object({ items: Type.Array(DossierSummary) }), ...problemResponses(400, 401) },
      },
    },
    async (request) => ({
      items: await listDossierCatalogue(request.query, documentsContext(request, deps, 'listDossiers')),
    }),
  );

  app.get(
    '/v1/dossiers/:id',
    {
      schema: {
        operationId: 'getDossier',
        tags: ['dossiers'],
        summary: 'A dossier with its documents in order',
        params: DossierIdParams,
        response: { 200: Dossier, ...problemResponses(400, 401, 404) },
      },
    },
    async (request) => getDossier({ dossierId: request.params.id }, documentsContext(request, deps, 'getDossier')),
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
        response: { 201: Dossier, ...problemResponses(400, 401, 404, 409, 422) },
      },
    },
    async (request, reply) =>
      sendMutation(
        reply,
        await addDocumentToDossier(
          { dossierId: request.params.id, documentId: request.body.documentId },
          documentsContext(request, deps, 'addDocumentToDossier'),
        ),
        { status: 201 },
      ),
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
        response: { 200: Dossier, ...problemResponses(400, 401, 404, 409) },
      },
    },
    async (request, reply) =>
      sendMutation(
        reply,
        await closeDossier({ dossierId: request.params.id }, documentsContext(request, deps, 'closeDossier')),
      ),
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
          ...problemResponses(400, 401, 404, 500),
        },
      },
    },
    async (request, reply) => {
      const exported = await exportDossier(
        { dossierId: request.params.id },
        documentsContext(request, deps, 'exportDossier'),
      );
      return reply
        .header('content-type', 'application/pdf')
        .header('content-disposition', contentDisposition('attachment', exported.fileName))
        .send(exported.bytes);
    },
  );
}
