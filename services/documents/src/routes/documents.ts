import type { MultipartFile } from '@fastify/multipart';
import { Type } from '@sinclair/typebox';
import { Value, ValueErrorType } from '@sinclair/typebox/value';
import { AppError, requestFingerprint, transactionRunner } from '@vanthu/platform';
import type { Pool, ServiceApp } from '@vanthu/platform';
import { createDocument } from '../domain/create-document';
import { getDocument } from '../domain/get-document';
import { readDocumentContent } from '../domain/read-document-content';
import { sniffMediaType } from '../domain/sniff-media-type';
import { ContentQuery, Document, DocumentIdParams, DocumentMetadata } from '../schemas/document';
import type { BlobStore, StoredBlob } from '../storage/blob-store';

export type DocumentRoutesDeps = { pool: Pool; blobs: BlobStore; topicPrefix: string; source: string };

const problem = { $ref: 'Problem#' } as const;

function parseMetadata(text: string | undefined): DocumentMetadata {
  if (text === undefined) {
    throw new AppError('VALIDATION_FAILED', 'the multipart field metadata is required', { errors: [{ field: 'metadata', message: 'required' }] });
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new AppError('VALIDATION_FAILED', 'metadata must be a JSON object', { errors: [{ field: 'metadata', message: 'not valid JSON' }] });
  }
  const errors = [...Value.Errors(DocumentMetadata, value)].map((e) => ({
    field: ['metadata', ...e.path.split('/').filter(Boolean)].join('.'),
    message: e.type === ValueErrorType.ObjectAdditionalProperties ? 'unknown field' : e.message,
  }));
  if (errors.length > 0) throw new AppError('INVALID_METADATA', errors.map((e) => `${e.field}: ${e.message}`).join('; '), { errors });
  return value as DocumentMetadata;
}

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
      if (!request.isMultipart()) throw new AppError('UNSUPPORTED_MEDIA_TYPE', 'send multipart/form-data with the parts file and metadata');
      let metadataText: string | undefined;
      let stored: StoredBlob | undefined;
      let fileName: string | null = null;
      for await (const part of request.parts()) {
        if (part.type === 'file') {
          if (part.fieldname !== 'file' || stored) {
            part.file.resume();
            throw new AppError('VALIDATION_FAILED', `unexpected file part ${part.fieldname}; send exactly one part named file`, {
              errors: [{ field: part.fieldname, message: 'unexpected file' }],
            });
          }
          const file = (part as MultipartFile).file;
          // A file cut at the size limit is discarded before it could enter the store.
          stored = await deps.blobs.put(file, () => {
            if (file.truncated) throw new AppError('PAYLOAD_TOO_LARGE', 'the file exceeds the upload limit');
          });
          fileName = part.filename ? part.filename.normalize('NFC').slice(0, 255) : null;
        } else if (part.fieldname === 'metadata') {
          metadataText = String(part.value);
        } else {
          throw new AppError('VALIDATION_FAILED', `unknown field ${part.fieldname}`, { errors: [{ field: part.fieldname, message: 'unknown field' }] });
        }
      }
      const metadata = parseMetadata(metadataText);
      if (!stored) throw new AppError('VALIDATION_FAILED', 'the multipart file part is required', { errors: [{ field: 'file', message: 'required' }] });
      const mediaType = sniffMediaType(stored.head);
      const idempotencyKey = request.headers['idempotency-key'];
      const runInTransaction = transactionRunner(
        deps.pool,
        request.identity,
        typeof idempotencyKey === 'string' ? idempotencyKey : undefined,
        requestFingerprint('createDocument', metadata, stored.sha256),
      );
      const { document, replayed } = await createDocument(
        { identity: request.identity, metadata, content: { sha256: stored.sha256, sizeBytes: stored.sizeBytes, mediaType, fileName }, requestId: request.id },
        { runInTransaction, topicPrefix: deps.topicPrefix, source: deps.source },
      );
      if (replayed) void reply.header('idempotent-replayed', 'true');
      return reply.status(201).header('location', `/v1/documents/${document.id}`).send(document);
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
