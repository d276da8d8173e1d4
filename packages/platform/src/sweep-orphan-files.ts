import type { Logger } from './logger';
import type { BlobStore, StoredFile, WithdrawnBlob } from './blob-store';

export type SweepOrphanFilesCommand = {
  /** Files younger than this are never touched: it must exceed the longest work between a file's write and the
   * commit of the row that names it. */
  graceMs: number;
  now?: Date;
};

export type SweepOrphanFilesDeps = {
  store: BlobStore;
  /** Of these SHA-256 names, the ones a committed row names (the service's own repository query). */
  findReferenced: (sha256s: string[]) => Promise<Set<string>>;
  logger: Logger;
  /** What the log line calls the files ("orphan blobs", "orphan message files"). */
  label: string;
};

export type SweepOrphanFilesOutcome = {
  examined: number;
  removed: number;
  removedBytes: number;
  restored: number;
  partsRemoved: number;
};

const batchSize = 500;

/**
 * Collects the files of a content-addressed store that no committed row names. Bytes are written and fsynced
 * before the transaction that records them (ARCHITECTURE.md, "Data flow"), so a crash or a rollback after the
 * write leaves a file nothing names. A file is removed only when it is older than the grace period, no row names
 * it, and still none does once it has been moved aside (a row committed meanwhile puts it back); a new write of the
 * same bytes refreshes the file's time, so it is never taken. Partial writes and scratch directories older than
 * the grace period go too. Safe on several processes at once: each move is atomic and only one of them wins it.
 */
export async function sweepOrphanFiles(
  command: SweepOrphanFilesCommand,
  deps: SweepOrphanFilesDeps,
): Promise<SweepOrphanFilesOutcome> {
  const staleBeforeMs = (command.now ?? new Date()).getTime() - command.graceMs;
  const outcome: SweepOrphanFilesOutcome = { examined: 0, removed: 0, removedBytes: 0, restored: 0, partsRemoved: 0 };

  // What an earlier sweep withdrew before it stopped is settled first, by the same rule.
  await settleWithdrawn(await deps.store.listWithdrawn(), deps, outcome);

  let batch: StoredFile[] = [];
  const sweepBatch = async (): Promise<void> => {
    const referenced = await deps.findReferenced(batch.map((file) => file.sha256));
    const withdrawn: WithdrawnBlob[] = [];
    for (const file of batch) {
      if (referenced.has(file.sha256)) continue;
      const moved = await deps.store.withdraw(file.sha256, staleBeforeMs);
      if (moved) withdrawn.push(moved);
    }
    await settleWithdrawn(withdrawn, deps, outcome);
    batch = [];
  };
  for await (const file of deps.store.listFiles()) {
    outcome.examined += 1;
    if (file.modifiedMs >= staleBeforeMs) continue;
    batch.push(file);
    if (batch.length >= batchSize) await sweepBatch();
  }
  if (batch.length > 0) await sweepBatch();

  outcome.partsRemoved = await deps.store.removeStaleParts(staleBeforeMs);
  if (outcome.removed > 0 || outcome.partsRemoved > 0 || outcome.restored > 0) {
    deps.logger.info(outcome, `${deps.label} swept`);
  }
  return outcome;
}

/** Asks once more, after the move: a row that appeared meanwhile puts the file back. */
async function settleWithdrawn(
  withdrawn: WithdrawnBlob[],
  deps: SweepOrphanFilesDeps,
  outcome: SweepOrphanFilesOutcome,
): Promise<void> {
  if (withdrawn.length === 0) return;
  const referenced = await deps.findReferenced(withdrawn.map((file) => file.sha256));
  for (const file of withdrawn) {
    if (referenced.has(file.sha256)) {
      await deps.store.restore(file);
      outcome.restored += 1;
    } else {
      await deps.store.destroy(file);
      outcome.removed += 1;
      outcome.removedBytes += file.sizeBytes;
    }
  }
}
