import { Type } from '@sinclair/typebox';
import { IdempotencyKeyHeaders, problemResponses, readUpload, sendMutation } from '@vanthu/platform';
import type { ServiceApp } from '@vanthu/platform';
import { documentsContext } from '../context';
import type { DocumentsServices } from '../context';
import { digitiseCopy } from '../copies/digitise-copy';
import { makeCopy } from '../copies/make-copy';
import { NewCopy, ScanCopyMetadata } from '../schemas/copy';
import { Document } from '../schemas/document';
import { blobUpload } from '../storage/blob-upload';

export async function copyRoutes(app: ServiceApp, deps: DocumentsServices): Promise<void> {
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
        response: { 201: Document, ...problemResponses(400, 401, 403, 404, 409, 422) },
      },
    },
    async (request, reply) => {
      const outcome = await makeCopy({ copy: request.body }, documentsContext(request, deps, 'makeCopy'));
      return sendMutation(reply, outcome, { status: 201, location: `/v1/documents/${outcome.result.id}` });
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
          ...problemResponses(400, 401, 403, 404, 413, 415, 422),
        },
      },
    },
    async (request, reply) => {
      const { metadata, file } = await readUpload(request, ScanCopyMetadata, blobUpload(deps.blobs));
      const ctx = documentsContext(request, deps, 'digitiseCopy', [metadata, file.content.sha256]);
      const outcome = await digitiseCopy({ metadata, upload: file }, ctx);
      return sendMutation(reply, outcome, { status: 201, location: `/v1/documents/${outcome.result.id}` });
    },
  );
}
