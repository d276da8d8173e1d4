import type { BlobStore, Logger, Pool, StoredFile, WithdrawnBlob } from '@vanthu/platform';
import { findReferencedMessages } from '../../repositories/message-files-repository';

export type SweepOrphanMessagesCommand = {
  /**
   * Files younger than this are never touched. It must exceed the longest work between a message's write and the
   * commit of the row naming it: a receipt spools and parses the message before its transaction commits, a send
   * writes, signs and splices it before the hub job's.
   */
  graceMs: number;
  now?: Date;
};

export type SweepOrphanMessagesDeps = { pool: Pool; messages: BlobStore; logger: Logger };

export type SweepOrphanMessagesOutcome = {
  examined: number;
  removed: number;
  removedBytes: number;
  restored: number;
  partsRemoved: number;
};

const batchSize = 500;

/**
 * Collects the message files nothing references. A message is written to MESSAGE_DIR before the transaction that
 * records its hash commits, so a receipt or send that rolls back (a crash, a refusal, a failed commit) leaves a file
 * no row names. A file is removed only when it is older than the grace period, no exchange or log row names it, and
 * none does once it has been moved aside into the store's trash (a row committed meanwhile puts it back); a new
 * write of the same bytes refreshes the file's time, so it is never taken. Partial writes and scratch directories
 * older than the grace period go too. Safe on several workers at once: each move is atomic and one of them wins it.
 */
export async function sweepOrphanMessages(
  command: SweepOrphanMessagesCommand,
  deps: SweepOrphanMessagesDeps,
): Promise<SweepOrphanMessagesOutcome> {
  await deps.messages.init();
  const staleBeforeMs = (command.now ?? new Date()).getTime() - command.graceMs;
  const outcome: SweepOrphanMessagesOutcome = {
    examined: 0,
    removed: 0,
    removedBytes: 0,
    restored: 0,
    partsRemoved: 0,
  };
  // What an earlier sweep withdrew before it stopped is settled first, by the same rule.
  await settle(await deps.messages.listWithdrawn(), deps, outcome);
  let batch: StoredFile[] = [];
  const sweepBatch = async (): Promise<void> => {
    const referenced = await findReferencedMessages(
      deps.pool,
      batch.map((file) => file.sha256),
    );
    const withdrawn: WithdrawnBlob[] = [];
    for (const file of batch) {
      if (referenced.has(file.sha256)) continue;
      const moved = await deps.messages.withdraw(file.sha256, staleBeforeMs);
      if (moved) withdrawn.push(moved);
    }
    await settle(withdrawn, deps, outcome);
    batch = [];
  };
  for await (const file of deps.messages.listFiles()) {
    outcome.examined += 1;
    if (file.modifiedMs >= staleBeforeMs) continue;
    batch.push(file);
    if (batch.length >= batchSize) await sweepBatch();
  }
  if (batch.length > 0) await sweepBatch();
  outcome.partsRemoved = await deps.messages.removeStaleParts(staleBeforeMs);
  if (outcome.removed > 0 || outcome.partsRemoved > 0 || outcome.restored > 0) {
    deps.logger.info(outcome, 'orphan message files swept');
  }
  return outcome;
}

/** Asks once more after the move: a row that appeared meanwhile puts the file back. */
async function settle(
  withdrawn: WithdrawnBlob[],
  deps: SweepOrphanMessagesDeps,
  outcome: SweepOrphanMessagesOutcome,
): Promise<void> {
  if (withdrawn.length === 0) return;
  const referenced = await findReferencedMessages(
    deps.pool,
    withdrawn.map((file) => file.sha256),
  );
  for (const file of withdrawn) {
    if (referenced.has(file.sha256)) {
      await deps.messages.restore(file);
      outcome.restored += 1;
    } else {
      await deps.messages.destroy(file);
      outcome.removed += 1;
      outcome.removedBytes += file.sizeBytes;
    }
  }
}
