import type { Readable } from 'node:stream';
import type {} from '@fastify/multipart';
import type { FastifyRequest } from 'fastify';
import type { Static, TObject } from '@sinclair/typebox';
import { Value, ValueErrorType } from '@sinclair/typebox/value';
import { AppError } from './errors';
import { assertStorableText } from './storable-text';

// The one reader of multipart uploads (CONTRIBUTING.md, "Adding an endpoint"): exactly one part named `file` and
// one JSON part named `metadata`, checked against the route's schema with every bad field named. Where the file's
// bytes go is the route's choice (a content-addressed store, memory), through an UploadSink.

/** A file part as the multipart parser hands it over: `truncated` is true when it was cut at the size limit. */
export type UploadStream = Readable & { truncated?: boolean };

/** Where the file part goes. */
export type UploadSink<F> = {
  /** Consumes the part's stream; throws to refuse the file (too large, wrong type, damaged). */
  take: (stream: UploadStream, fileName: string | null) => Promise<F>;
  /** Removes what `take` kept, when the upload is refused after the file was taken (its metadata is refused). */
  discard?: (file: F) => Promise<void>;
};

export type Upload<M, F> = { metadata: M; file: F; fileName: string | null };

export type ReadUploadOptions<M> = {
  /**
   * Refuses metadata before the file is taken when metadata comes first (as clients send it); when the file came
   * first it runs afterwards and a refusal discards the file.
   */
  precheck?: (metadata: M) => Promise<void> | void;
  /** The file's size limit for this route, instead of the service's multipart limit (a stream is cut there). */
  maxFileBytes?: number;
};

/** The metadata part parsed and checked against `schema`; 400 naming every bad field (`metadata.<path>`). */
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
  assertStorableText(value, 'metadata');
  const errors = [...Value.Errors(schema, value)].map((e) => ({
    field: ['metadata', ...e.path.split('/').filter(Boolean)].join('.'),
    message: e.type === ValueErrorType.ObjectAdditionalProperties ? 'unknown field' : e.message,
  }));
  if (errors.length > 0)
    throw new AppError('INVALID_METADATA', errors.map((e) => `${e.field}: ${e.message}`).join('; '), { errors });
  return value as Static<S>;
}

/**
 * Reads a multipart upload of exactly one `file` part and one `metadata` JSON part. Anything else is refused
 * (415 when the request is not multipart, 400 for another part, 413 beyond the service's multipart limits).
 */
export async function readUpload<S extends TObject, F>(
  request: FastifyRequest,
  schema: S,
  sink: UploadSink<F>,
  options: ReadUploadOptions<Static<S>> = {},
): Promise<Upload<Static<S>, F>> {
  if (!request.isMultipart())
    throw new AppError('UNSUPPORTED_MEDIA_TYPE', 'send multipart/form-data with the parts file and metadata');
  const { precheck, maxFileBytes } = options;
  let metadataText: string | undefined;
  let taken: { file: F } | undefined;
  let fileName: string | null = null;
  try {
    for await (const part of request.parts(maxFileBytes === undefined ? {} : { limits: { fileSize: maxFileBytes } })) {
      if (part.type === 'file') {
        if (part.fieldname !== 'file' || taken) {
          part.file.resume();
          throw new AppError(
            'VALIDATION_FAILED',
            `unexpected file part ${part.fieldname}; send exactly one part named file`,
            { errors: [{ field: part.fieldname, message: 'unexpected file' }] },
          );
        }
        fileName = part.filename ? part.filename.normalize('NFC').slice(0, 255) : null;
        taken = { file: await sink.take(part.file, fileName) };
      } else if (part.fieldname === 'metadata') {
        // Cut at the service's field limit, the JSON would merely look malformed: say what happened instead.
        if (part.valueTruncated) {
          throw new AppError('PAYLOAD_TOO_LARGE', 'the metadata part exceeds the size limit of a multipart field', {
            errors: [{ field: 'metadata', message: 'too large' }],
          });
        }
        metadataText = String(part.value);
        if (precheck && !taken) await precheck(parseMetadata(schema, metadataText));
      } else {
        throw new AppError('VALIDATION_FAILED', `unknown field ${part.fieldname}`, {
          errors: [{ field: part.fieldname, message: 'unknown field' }],
        });
      }
    }
  } catch (error) {
    if (taken) await sink.discard?.(taken.file);
    throw error;
  }
  let metadata: Static<S>;
  try {
    metadata = parseMetadata(schema, metadataText);
    if (precheck) await precheck(metadata);
  } catch (error) {
    if (taken) await sink.discard?.(taken.file);
    throw error;
  }
  if (!taken)
    throw new AppError('VALIDATION_FAILED', 'the multipart file part is required', {
      errors: [{ field: 'file', message: 'required' }],
    });
  return { metadata, file: taken.file, fileName };
}

/** Keeps the file in memory (small files: images); a file cut at the size limit is refused with 413. */
export const memorySink: UploadSink<Buffer> = {
  take: async (stream) => {
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(chunk as Buffer);
    if (stream.truncated) throw new AppError('PAYLOAD_TOO_LARGE', 'the file exceeds the upload limit');
    return Buffer.concat(chunks);
  },
};
