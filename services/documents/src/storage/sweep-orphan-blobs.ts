import type { Logger, Pool } from '@vanthu/platform';
import { findRecordedBlobs } from '../repositories/blobs-repository';
import type { BlobStore, StoredFile, WithdrawnBlob } from '@vanthu/platform';

export type SweepCommand = {
  /** Files younger than this are never touched: it must exceed the longest transaction that stores a blob. */
  graceMs: number;
  now?: Date;
};

export type SweepDeps = { pool: Pool; blobs: BlobStore; logger: Logger };

export type SweepOutcome = {
  examined: number;
  removed: number;
  removedBytes: number;
  restored: number;
  partsRemoved: number;
};

const batchSize = 500;

/**
 * Collects the files a failed transaction left in the blob store. Bytes are written and fsynced before the
 * transaction that records them (ARCHITECTURE.md, "Data flow", blobs), so a crash or a refusal after the write leaves a file
 * with no `blobs` row. A file is removed only when it is older than the grace period, has no row, and still has
 * none once it has been moved aside; a concurrent upload of the same bytes refreshes the file and is never lost.
 * Safe to run on several replicas at once: each move is atomic and only one of them wins it.
 */
export async function sweepOrphanBlobs(command: SweepCommand, deps: SweepDeps): Promise<SweepOutcome> {
  const staleBeforeMs = (command.now ?? new Date()).getTime() - command.graceMs;
  const outcome: SweepOutcome = { examined: 0, removed: 0, removedBytes: 0, restored: 0, partsRemoved: 0 };

  // What an earlier sweep withdrew before it crashed is settled first, by the same rule.
  await settleWithdrawn(await deps.blobs.listWithdrawn(), deps, outcome);

  let batch: StoredFile[] = [];
  const sweepBatch = async (): Promise<void> => {
    const recorded = await findRecordedBlobs(
      deps.pool,
      batch.map((file) => file.sha256),
    );
    const withdrawn: WithdrawnBlob[] = [];
    for (const file of batch) {
      if (recorded.has(file.sha256)) continue;
      const moved = await deps.blobs.withdraw(file.sha256, staleBeforeMs);
      if (moved) withdrawn.push(moved);
    }
    await settleWithdrawn(withdrawn, deps, outcome);
    batch = [];
  };
  for await (const file of deps.blobs.listFiles()) {
    outcome.examined += 1;
    if (file.modifiedMs >= staleBeforeMs) continue;
    batch.push(file);
    if (batch.length >= batchSize) await sweepBatch();
  }
  if (batch.length > 0) await sweepBatch();

  outcome.partsRemoved = await deps.blobs.removeStaleParts(staleBeforeMs);
  if (outcome.removed > 0 || outcome.partsRemoved > 0 || outcome.restored > 0) {
    deps.logger.info(outcome, 'orphan blobs swept');
  }
  return outcome;
}

/** Asks the database once more, after the move: a row that appeared meanwhile puts the file back. */
async function settleWithdrawn(withdrawn: WithdrawnBlob[], deps: SweepDeps, outcome: SweepOutcome): Promise<void> {
  if (withdrawn.length === 0) return;
  const recorded = await findRecordedBlobs(
    deps.pool,
    withdrawn.map((file) => file.sha256),
  );
  for (const file of withdrawn) {
    if (recorded.has(file.sha256)) {
      await deps.blobs.restore(file);
      outcome.restored += 1;
    } else {
      await deps.blobs.destroy(file);
      outcome.removed += 1;
      outcome.removedBytes += file.sizeBytes;
    }
  }
}
