import { Type } from '@sinclair/typebox';
import type { Pool, ServiceApp } from '@vanthu/platform';
import { checkScan, digitiseCopy } from '../copies/digitise-copy';
import { makeCopy } from '../copies/make-copy';
import { pdfMediaType } from '../rules/sniff-media-type';
import { AppError, IdempotencyKeyHeaders, markReplayed, transactionRunnerFor } from '@vanthu/platform';
import { NewCopy, ScanCopyMetadata } from '../schemas/copy';
import { readUpload } from './read-upload';
import { Document } from '../schemas/document';
import type { BlobStore } from '../storage/blob-store';

const problem = { $ref: 'Problem#' } as const;

export async function copyRoutes(
  app: ServiceApp,
  deps: { pool: Pool; blobs: BlobStore; topicPrefix: string; source: string },
): Promise<void> {
  app.post(
    '/v1/copies',
    {
      schema: {
        operationId: 'makeCopy',
        tags: ['copies'],
        summary:
          'Make a numbered copy (sao y, trích sao, sao lục; electronic, or the printable paper copy of an electronic original) of a document',
        headers: IdempotencyKeyHeaders,
        body: NewCopy,
        response: { 201: Document, 400: problem, 401: problem, 403: problem, 404: problem, 409: problem, 422: problem },
      },
    },
    async (request, reply) => {
      const { document, replayed } = await makeCopy(
        { identity: request.identity, copy: request.body, requestId: request.id },
        {
          runInTransaction: transactionRunnerFor(request, deps.pool, 'makeCopy', request.body),
          blobs: deps.blobs,
          topicPrefix: deps.topicPrefix,
          source: deps.source,
        },
      );
      return markReplayed(reply, replayed)
        .status(201)
        .header('location', `/v1/documents/${document.id}`)
        .send(document);
    },
  );

  app.post(
    '/v1/copies/scans',
    {
      schema: {
        operationId: 'digitiseCopy',
        tags: ['copies'],
        summary:
          'Register a digitised copy (paper → electronic sao y) from an uploaded scan PDF (1.4 or later), numbered in the copy series',
        consumes: ['multipart/form-data'],
        headers: IdempotencyKeyHeaders,
        body: Type.Object(
          {
            file: Type.String({ contentEncoding: 'binary', description: 'The scan (PDF)' }),
            metadata: Type.String({ contentMediaType: 'application/json', description: 'JSON of ScanCopyMetadata' }),
          },
          { 'x-multipart': true },
        ),
        response: {
          201: Document,
          400: problem,
          401: problem,
          403: problem,
          404: problem,
          413: problem,
          415: problem,
          422: problem,
        },
      },
    },
    async (request, reply) => {
      const { metadata, content, blob } = await readUpload(request, deps.blobs, ScanCopyMetadata);
      try {
        if (content.mediaType !== pdfMediaType)
          throw new AppError('UNSUPPORTED_MEDIA_TYPE', 'a digitised copy is a PDF scan');
        await checkScan(deps.blobs, blob);
      } catch (error) {
        await deps.blobs.discardCreated(blob);
        throw error;
      }
      const { document, replayed } = await digitiseCopy(
        { identity: request.identity, metadata, content, requestId: request.id },
        {
          runInTransaction: transactionRunnerFor(request, deps.pool, 'digitiseCopy', metadata, content.sha256),
          topicPrefix: deps.topicPrefix,
          source: deps.source,
        },
      );
      return markReplayed(reply, replayed)
        .status(201)
        .header('location', `/v1/documents/${document.id}`)
        .send(document);
    },
  );
}
