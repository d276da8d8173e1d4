import type { MultipartFile } from '@fastify/multipart';
import type { FastifyRequest } from 'fastify';
import type { TObject, Static } from '@sinclair/typebox';
import { Value, ValueErrorType } from '@sinclair/typebox/value';
import { AppError } from '@vanthu/platform';
import '../schemas/formats';
import { inspectContent } from '../documents/inspect-content';
import type { BlobStore, StoredBlob } from '../storage/blob-store';

export type Upload<M> = {
  metadata: M;
  content: { sha256: string; sizeBytes: number; mediaType: string; fileName: string | null };
  blob: StoredBlob;
};

export function parseMetadata<S extends TObject>(schema: S, text: string | undefined): Static<S> {
  if (text === undefined) {
    throw new AppError('VALIDATION_FAILED', 'the multipart field metadata is required', {
      errors: [{ field: 'metadata', message: 'required' }],
    });
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new AppError('VALIDATION_FAILED', 'metadata must be a JSON object', {
      errors: [{ field: 'metadata', message: 'not valid JSON' }],
    });
  }
  const errors = [...Value.Errors(schema, value)].map((e) => ({
    field: ['metadata', ...e.path.split('/').filter(Boolean)].join('.'),
    message: e.type === ValueErrorType.ObjectAdditionalProperties ? 'unknown field' : e.message,
  }));
  if (errors.length > 0)
    throw new AppError('INVALID_METADATA', errors.map((e) => `${e.field}: ${e.message}`).join('; '), { errors });
  return value as Static<S>;
}

/**
 * Reads a multipart upload of exactly one `file` part and one `metadata` JSON part. The file is
 * streamed into the blob store (durably, before any database write) once its type is decided
 * from its bytes and its structure checked; metadata is checked against `schema`, naming every
 * bad field. `precheck` refuses metadata before the file is stored when metadata comes first
 * (as clients send it); when the file came first, a refused upload's new bytes are removed.
 */
export async function readUpload<S extends TObject>(
  request: FastifyRequest,
  blobs: BlobStore,
  schema: S,
  precheck?: (metadata: Static<S>) => Promise<void> | void,
): Promise<Upload<Static<S>>> {
  if (!request.isMultipart())
    throw new AppError('UNSUPPORTED_MEDIA_TYPE', 'send multipart/form-data with the parts file and metadata');
  let metadataText: string | undefined;
  let stored: Awaited<ReturnType<BlobStore['put']>> | undefined;
  let fileName: string | null = null;
  for await (const part of request.parts()) {
    if (part.type === 'file') {
      if (part.fieldname !== 'file' || stored) {
        part.file.resume();
        throw new AppError(
          'VALIDATION_FAILED',
          `unexpected file part ${part.fieldname}; send exactly one part named file`,
          {
            errors: [{ field: part.fieldname, message: 'unexpected file' }],
          },
        );
      }
      const file = (part as MultipartFile).file;
      // A file cut at the size limit is discarded before it could enter the store.
      stored = await blobs.put(
        file,
        () => {
          if (file.truncated) throw new AppError('PAYLOAD_TOO_LARGE', 'the file exceeds the upload limit');
        },
        inspectContent,
      );
      fileName = part.filename ? part.filename.normalize('NFC').slice(0, 255) : null;
    } else if (part.fieldname === 'metadata') {
      metadataText = String(part.value);
      if (precheck && !stored) await precheck(parseMetadata(schema, metadataText));
    } else {
      throw new AppError('VALIDATION_FAILED', `unknown field ${part.fieldname}`, {
        errors: [{ field: part.fieldname, message: 'unknown field' }],
      });
    }
  }
  let metadata: Static<S>;
  try {
    metadata = parseMetadata(schema, metadataText);
    await precheck?.(metadata);
  } catch (error) {
    if (stored) await blobs.discardCreated(stored);
    throw error;
  }
  if (!stored)
    throw new AppError('VALIDATION_FAILED', 'the multipart file part is required', {
      errors: [{ field: 'file', message: 'required' }],
    });
  return {
    metadata,
    content: { sha256: stored.sha256, sizeBytes: stored.sizeBytes, mediaType: stored.mediaType, fileName },
    blob: stored,
  };
}
