import { Type } from '@sinclair/typebox';
import {
  contentDisposition,
  IdempotencyKeyHeaders,
  problemResponses,
  readUpload,
  sendMutation,
} from '@vanthu/platform';
import type { ServiceApp } from '@vanthu/platform';
import { addDocumentVersion } from '../documents/add-document-version';
import { checkDocumentMetadata } from '../documents/check-document-metadata';
import { createDocument } from '../documents/create-document';
import { getDocument } from '../documents/get-document';
import { listAccessLog } from '../documents/list-access-log';
import { readDocumentContent } from '../documents/read-document-content';
import { issueDocument } from '../documents/issue-document';
import { recallDocument } from '../documents/recall-document';
import { updateDocumentMetadata } from '../documents/update-document-metadata';
import { documentsContext } from '../context';
import { blobUpload } from '../storage/blob-upload';
import type { DocumentsServices } from '../context';
import { RecallRequest } from '../schemas/register';
import {
  ContentQuery,
  Document,
  DocumentIdParams,
  DocumentMetadata,
  MetadataUpdate,
  NewVersionMetadata,
} from '../schemas/document';

export type DocumentRoutesDeps = DocumentsServices;

export async function documentRoutes(app: ServiceApp, deps: DocumentRoutesDeps): Promise<void> {
  app.post(
    '/v1/documents',
    {
      schema: {
        operationId: 'createDocument',
        tags: ['documents'],
        summary:
          'Upload a document (PDF, or a DOCX draft which is kept as version 1 and converted to a PDF version 2) with its metadata',
        consumes: ['multipart/form-data'],
        headers: IdempotencyKeyHeaders,
        body: Type.Object(
          {
            file: Type.String({ contentEncoding: 'binary', description: 'The PDF' }),
            metadata: Type.String({ contentMediaType: 'application/json', description: 'JSON of DocumentMetadata' }),
          },
          { 'x-multipart': true },
        ),
        response: {
          201: Document,
          200: Document,
          ...problemResponses(400, 401, 413, 415, 422),
        },
      },
    },
    async (request, reply) => {
      const { metadata, file } = await readUpload(request, DocumentMetadata, blobUpload(deps.blobs), {
        precheck: (m) => checkDocumentMetadata(request.identity, m, deps),
      });
      const ctx = documentsContext(request, deps, 'createDocument', [metadata, file.content.sha256]);
      const outcome = await createDocument({ metadata, upload: file }, ctx);
      return sendMutation(reply, outcome, { status: 201, location: `/v1/documents/${outcome.result.id}` });
    },
  );

  app.post(
    '/v1/documents/:id/versions',
    {
      schema: {
        operationId: 'addDocumentVersion',
        tags: ['documents'],
        summary: 'Store the next immutable version (a signed PDF, a conversion, a revised draft)',
        consumes: ['multipart/form-data'],
        params: DocumentIdParams,
        headers: IdempotencyKeyHeaders,
        body: Type.Object(
          {
            file: Type.String({ contentEncoding: 'binary' }),
            metadata: Type.String({ contentMediaType: 'application/json', description: 'JSON of NewVersionMetadata' }),
          },
          { 'x-multipart': true },
        ),
        response: {
          201: Document,
          ...problemResponses(400, 401, 404, 409, 413, 415, 422),
        },
      },
    },
    async (request, reply) => {
      const { metadata, file } = await readUpload(request, NewVersionMetadata, blobUpload(deps.blobs));
      const ctx = documentsContext(request, deps, 'addDocumentVersion', [metadata, file.content.sha256]);
      const outcome = await addDocumentVersion({ documentId: request.params.id, metadata, upload: file }, ctx);
      const { id, currentVersion } = outcome.result;
      return sendMutation(reply, outcome, {
        status: 201,
        location: `/v1/documents/${id}/content?version=${currentVersion}`,
      });
    },
  );

  app.get(
    '/v1/documents/:id',
    {
      schema: {
        operationId: 'getDocument',
        tags: ['documents'],
        summary: 'A document with its versions',
        params: DocumentIdParams,
        response: { 200: Document, ...problemResponses(400, 401, 404) },
      },
    },
    async (request) => getDocument({ documentId: request.params.id }, documentsContext(request, deps, 'getDocument')),
  );

  app.get(
    '/v1/documents/:id/content',
    {
      schema: {
        operationId: 'getDocumentContent',
        tags: ['documents'],
        summary: 'The bytes of a version (the current one by default), checked against its SHA-256 before sending',
        params: DocumentIdParams,
        querystring: ContentQuery,
        response: {
          200: {
            description: 'The content',
            content: { 'application/pdf': { schema: { type: 'string', contentEncoding: 'binary' } } },
          },
          ...problemResponses(400, 401, 404, 500),
        },
      },
    },
    async (request, reply) => {
      const content = await readDocumentContent(
        {
          documentId: request.params.id,
          ...(request.query.version !== undefined ? { version: request.query.version } : {}),
          purpose: request.query.purpose ?? 'read',
        },
        documentsContext(request, deps, 'getDocumentContent'),
      );
      const disposition = contentDisposition(
        request.query.purpose === 'download' ? 'attachment' : 'inline',
        content.fileName,
      );
      return reply
        .header('content-type', content.mediaType)
        .header('content-length', String(content.sizeBytes))
        .header('etag', `"${content.sha256}"`)
        .header('repr-digest', `sha-256=:${Buffer.from(content.sha256, 'hex').toString('base64')}:`)
        .header('x-document-version', String(content.version))
        .header('content-disposition', disposition)
        .send(content.stream);
    },
  );

  app.get(
    '/v1/documents/:id/access-log',
    {
      schema: {
        operationId: 'getDocumentAccessLog',
        tags: ['documents'],
        summary: 'Who read, downloaded or printed which version, and when (oldest first)',
        params: DocumentIdParams,
        querystring: Type.Object(
          {
            cursor: Type.Optional(Type.String({ maxLength: 20 })),
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 100 })),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            items: Type.Array(
              Type.Object({
                documentId: Type.String(),
                version: Type.Union([Type.Integer(), Type.Null()]),
                action: Type.String(),
                userId: Type.String(),
                at: Type.String({ format: 'date-time' }),
              }),
            ),
            nextCursor: Type.Union([Type.String(), Type.Null()]),
          }),
          ...problemResponses(400, 401, 404),
        },
      },
    },
    async (request) =>
      listAccessLog(
        {
          documentId: request.params.id,
          ...(request.query.cursor !== undefined ? { cursor: request.query.cursor } : {}),
          limit: request.query.limit ?? 100,
        },
        documentsContext(request, deps, 'getDocumentAccessLog'),
      ),
  );

  app.post(
    '/v1/documents/:id/issue',
    {
      schema: {
        operationId: 'issueDocument',
        tags: ['registers'],
        summary: 'Release a registered outgoing document (phát hành); registered → issued',
        params: DocumentIdParams,
        headers: IdempotencyKeyHeaders,
        response: { 200: Document, ...problemResponses(400, 401, 403, 404, 409, 422) },
      },
    },
    async (request, reply) =>
      sendMutation(
        reply,
        await issueDocument({ documentId: request.params.id }, documentsContext(request, deps, 'issueDocument')),
      ),
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
        headers: IdempotencyKeyHeaders,
        body: MetadataUpdate,
        response: { 200: Document, ...problemResponses(400, 401, 404, 409) },
      },
    },
    async (request, reply) =>
      sendMutation(
        reply,
        await updateDocumentMetadata(
          { documentId: request.params.id, update: request.body },
          documentsContext(request, deps, 'updateDocumentMetadata'),
        ),
      ),
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
        headers: IdempotencyKeyHeaders,
        body: RecallRequest,
        response: { 200: Document, ...problemResponses(400, 401, 403, 404, 409, 422) },
      },
    },
    async (request, reply) =>
      sendMutation(
        reply,
        await recallDocument(
          { documentId: request.params.id, request: request.body },
          documentsContext(request, deps, 'recallDocument'),
        ),
      ),
  );
}
