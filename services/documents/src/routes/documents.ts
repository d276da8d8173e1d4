import { Type } from '@sinclair/typebox';
import { requestFingerprint, transactionRunner } from '@vanthu/platform';
import type { Pool, ServiceApp } from '@vanthu/platform';
import { addDocumentVersion } from '../domain/add-document-version';
import { createDocument } from '../domain/create-document';
import { getDocument } from '../domain/get-document';
import { readDocumentContent } from '../domain/read-document-content';
import { ContentQuery, Document, DocumentIdParams, DocumentMetadata, NewVersionMetadata } from '../schemas/document';
import type { BlobStore } from '../storage/blob-store';
import { readUpload } from './read-upload';

export type DocumentRoutesDeps = { pool: Pool; blobs: BlobStore; topicPrefix: string; source: string };

const problem = { $ref: 'Problem#' } as const;

export async function documentRoutes(app: ServiceApp, deps: DocumentRoutesDeps): Promise<void> {
  app.post(
    '/v1/documents',
    {
      schema: {
        operationId: 'createDocument',
        tags: ['documents'],
        summary: 'Upload a document (PDF) with its metadata; stores version 1',
        consumes: ['multipart/form-data'],
        headers: Type.Object({ 'idempotency-key': Type.Optional(Type.String({ minLength: 8, maxLength: 128 })) }),
        body: Type.Object(
          {
            file: Type.String({ contentEncoding: 'binary', description: 'The PDF' }),
            metadata: Type.String({ contentMediaType: 'application/json', description: 'JSON of DocumentMetadata' }),
          },
          { 'x-multipart': true },
        ),
        response: { 201: Document, 200: Document, 400: problem, 401: problem, 413: problem, 415: problem, 422: problem },
      },
    },
    async (request, reply) => {
      const { metadata, content } = await readUpload(request, deps.blobs, DocumentMetadata);
      const idempotencyKey = request.headers['idempotency-key'];
      const runInTransaction = transactionRunner(
        deps.pool,
        request.identity,
        typeof idempotencyKey === 'string' ? idempotencyKey : undefined,
        requestFingerprint('createDocument', metadata, content.sha256),
      );
      const { document, replayed } = await createDocument(
        { identity: request.identity, metadata, content, requestId: request.id },
        { runInTransaction, topicPrefix: deps.topicPrefix, source: deps.source },
      );
      if (replayed) void reply.header('idempotent-replayed', 'true');
      return reply.status(201).header('location', `/v1/documents/${document.id}`).send(document);
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
        headers: Type.Object({ 'idempotency-key': Type.Optional(Type.String({ minLength: 8, maxLength: 128 })) }),
        body: Type.Object(
          {
            file: Type.String({ contentEncoding: 'binary' }),
            metadata: Type.String({ contentMediaType: 'application/json', description: 'JSON of NewVersionMetadata' }),
          },
          { 'x-multipart': true },
        ),
        response: { 201: Document, 400: problem, 401: problem, 404: problem, 409: problem, 413: problem, 415: problem, 422: problem },
      },
    },
    async (request, reply) => {
      const { metadata, content } = await readUpload(request, deps.blobs, NewVersionMetadata);
      const idempotencyKey = request.headers['idempotency-key'];
      const runInTransaction = transactionRunner(
        deps.pool,
        request.identity,
        typeof idempotencyKey === 'string' ? idempotencyKey : undefined,
        requestFingerprint('addDocumentVersion', request.params.id, metadata, content.sha256),
      );
      const { document, replayed } = await addDocumentVersion(
        { identity: request.identity, documentId: request.params.id, metadata, content, requestId: request.id },
        { runInTransaction, topicPrefix: deps.topicPrefix, source: deps.source },
      );
      if (replayed) void reply.header('idempotent-replayed', 'true');
      return reply.status(201).header('location', `/v1/documents/${document.id}/content?version=${document.currentVersion}`).send(document);
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
        response: { 200: Document, 400: problem, 401: problem, 404: problem },
      },
    },
    async (request) => getDocument(request.identity, request.params.id, deps),
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
          200: { description: 'The content', content: { 'application/pdf': { schema: { type: 'string', contentEncoding: 'binary' } } } },
          400: problem,
          401: problem,
          404: problem,
          500: problem,
        },
      },
    },
    async (request, reply) => {
      const content = await readDocumentContent(request.identity, request.params.id, request.query.version, deps);
      const disposition = content.fileName ? `inline; filename*=UTF-8''${encodeURIComponent(content.fileName)}` : 'inline';
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
}
