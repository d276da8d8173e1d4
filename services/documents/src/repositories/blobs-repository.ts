import type { Pool, Tx } from '@vanthu/platform';

/**
 * Records that a blob's file is durably in the store; the row commits with whatever references it (a version, a
 * copy), so a file with no row is one that no committed transaction uses.
 */
export async function insertBlob(
  tx: Tx,
  blob: { sha256: string; sizeBytes: number; mediaType: string },
): Promise<void> {
  await tx.query(
    'INSERT INTO blobs (sha256, size_bytes, media_type) VALUES ($1, $2, $3) ON CONFLICT (sha256) DO NOTHING',
    [blob.sha256, blob.sizeBytes, blob.mediaType],
  );
}

/** The blobs among `sha256s` that a committed transaction recorded; the others are no one's. */
export async function findRecordedBlobs(pool: Pool, sha256s: readonly string[]): Promise<Set<string>> {
  if (sha256s.length === 0) return new Set();
  const { rows } = await pool.query<{ sha256: string }>('SELECT sha256 FROM blobs WHERE sha256 = ANY($1::text[])', [
    sha256s,
  ]);
  return new Set(rows.map((row) => row.sha256));
}
