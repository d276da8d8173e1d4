import { sweepOrphanFiles } from '@vanthu/platform';
import type { BlobStore, Logger, Pool, SweepOrphanFilesCommand, SweepOrphanFilesOutcome } from '@vanthu/platform';
import { findReferencedMessages } from '../../repositories/message-files-repository';

/**
 * The grace period must exceed the longest work between a message's write and the commit of the row naming it:
 * a receipt spools and parses the message before its transaction commits, a send writes, signs and splices it
 * before the hub job's.
 */
export type SweepOrphanMessagesCommand = SweepOrphanFilesCommand;
export type SweepOrphanMessagesDeps = { pool: Pool; messages: BlobStore; logger: Logger };
export type SweepOrphanMessagesOutcome = SweepOrphanFilesOutcome;

/**
 * Collects the message files nothing references: a receipt or send that rolls back (a crash, a refusal, a failed
 * commit) leaves a file in MESSAGE_DIR that no exchange or log row names. The rule is the platform's sweep.
 */
export async function sweepOrphanMessages(
  command: SweepOrphanMessagesCommand,
  deps: SweepOrphanMessagesDeps,
): Promise<SweepOrphanMessagesOutcome> {
  await deps.messages.init();
  return sweepOrphanFiles(command, {
    store: deps.messages,
    findReferenced: (sha256s) => findReferencedMessages(deps.pool, sha256s),
    logger: deps.logger,
    label: 'orphan message files',
  });
}
