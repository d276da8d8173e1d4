import type { Readable } from 'node:stream';
import { AppError, withTransaction } from '@vanthu/platform';
import { insertAccess } from '../repositories/access-log-repository';
import type { AccessAction } from '../repositories/access-log-repository';
import type { DocumentsContext } from '../context';
import { getDocument } from './get-document';

export type ReadDocumentContentInput = {
  documentId: string;
  /** The current version when absent. */
  version?: number;
  purpose?: AccessAction;
};

export type DocumentContent = {
  stream: Readable;
  sizeBytes: number;
  mediaType: string;
  sha256: string;
  version: number;
  fileName: string | null;
};

/**
 * Returns a version's bytes after checking they still hash to the recorded SHA-256, and
 * records who fetched which version and why (Phụ lục VI mục III.5–III.6: access and print log).
 */
export async function readDocumentContent(
  input: ReadDocumentContentInput,
  ctx: DocumentsContext,
): Promise<DocumentContent> {
  const { identity } = ctx;
  const { documentId: id, purpose = 'read' } = input;
  const document = await getDocument({ documentId: id }, ctx);
  const wanted = input.version ?? document.currentVersion;
  const version = document.versions.find((v) => v.version === wanted);
  if (!version) throw new AppError('NOT_FOUND', `document ${id} has no version ${wanted}`);
  const { stream, sizeBytes } = await ctx.blobs.openVerified(version.sha256);
  await withTransaction(ctx.pool, (tx) =>
    insertAccess(tx, {
      agencyCode: identity.agencyCode,
      documentId: id,
      version: version.version,
      action: purpose,
      userId: identity.userId,
    }),
  );
  return {
    stream,
    sizeBytes,
    mediaType: version.mediaType,
    sha256: version.sha256,
    version: version.version,
    fileName: version.fileName,
  };
}
