import type { Readable } from 'node:stream';
import { AppError } from '@vanthu/platform';
import type { Identity, Pool } from '@vanthu/platform';
import type { BlobStore } from '../storage/blob-store';
import { getDocument } from './get-document';

export type DocumentContent = { stream: Readable; sizeBytes: number; mediaType: string; sha256: string; version: number; fileName: string | null };

/** Returns a version's bytes after checking they still hash to the recorded SHA-256. */
export async function readDocumentContent(
  identity: Identity,
  id: string,
  requestedVersion: number | undefined,
  deps: { pool: Pool; blobs: BlobStore },
): Promise<DocumentContent> {
  const document = await getDocument(identity, id, deps);
  const wanted = requestedVersion ?? document.currentVersion;
  const version = document.versions.find((v) => v.version === wanted);
  if (!version) throw new AppError('NOT_FOUND', `document ${id} has no version ${wanted}`);
  const { stream, sizeBytes } = await deps.blobs.openVerified(version.sha256);
  return { stream, sizeBytes, mediaType: version.mediaType, sha256: version.sha256, version: version.version, fileName: version.fileName };
}
