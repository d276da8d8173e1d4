import { AppError } from '@vanthu/platform';
import type { UploadSink } from '@vanthu/platform';
import { inspectContent } from '../documents/inspect-content';
import type { StoredContent } from '../documents/create-document';
import type { BlobStore, StoredBlob } from '@vanthu/platform';

/** An uploaded file once it is durably in the blob store: the blob and what the database records of it. */
export type StoredUpload = { blob: StoredBlob; content: StoredContent };

/**
 * The upload sink of documents (for the platform's readUpload): the file is streamed into the blob store once its
 * type is decided from its bytes and its structure checked, durably and before any database write; a file cut at
 * the size limit never enters the store.
 */
export function blobUpload(blobs: BlobStore): UploadSink<StoredUpload> {
  return {
    take: async (stream, fileName) => {
      const blob = await blobs.put(
        stream,
        () => {
          if (stream.truncated) throw new AppError('PAYLOAD_TOO_LARGE', 'the file exceeds the upload limit');
        },
        inspectContent,
      );
      return {
        blob,
        content: { sha256: blob.sha256, sizeBytes: blob.sizeBytes, mediaType: blob.mediaType, fileName },
      };
    },
    discard: (upload) => blobs.discardCreated(upload.blob),
  };
}
