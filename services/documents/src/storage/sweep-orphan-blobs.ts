import { sweepOrphanFiles } from '@vanthu/platform';
import type { BlobStore, Logger, Pool, SweepOrphanFilesCommand, SweepOrphanFilesOutcome } from '@vanthu/platform';
import { findRecordedBlobs } from '../repositories/blobs-repository';

export type SweepCommand = SweepOrphanFilesCommand;
export type SweepDeps = { pool: Pool; blobs: BlobStore; logger: Logger };
export type SweepOutcome = SweepOrphanFilesOutcome;

/**
 * Collects the files a failed transaction left in the blob store: those no `blobs` row names, by the platform's
 * sweep (bytes are fsynced before the row that records them commits; ARCHITECTURE.md, "Data flow").
 */
export async function sweepOrphanBlobs(command: SweepCommand, deps: SweepDeps): Promise<SweepOutcome> {
  return sweepOrphanFiles(command, {
    store: deps.blobs,
    findReferenced: (sha256s) => findRecordedBlobs(deps.pool, sha256s),
    logger: deps.logger,
    label: 'orphan blobs',
  });
}
