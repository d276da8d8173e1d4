import { createHash } from 'node:crypto';
import { withTransaction } from '@vanthu/platform';
import type { Pool } from '@vanthu/platform';
import { listLogEntries } from '../../repositories/exchange-log-repository';
import { readExchangeMessage } from '../../repositories/exchanges-repository';
import { entryHashOf, genesisHash } from './exchange-log';

export type LogVerification = {
  valid: boolean;
  entries: number;
  headHash: string;
  /** The first entry that breaks the chain or whose logged message no longer has its SHA-256. */
  firstBroken?: { position: number; reason: string };
};

/**
 * Walks the whole chain from the genesis hash: every entry's hash is recomputed, must link to the
 * one before, and an edoc entry's message as stored must still have the SHA-256 logged for it.
 */
export async function verifyExchangeLog(_input: Record<string, never>, ctx: { pool: Pool }): Promise<LogVerification> {
  return withTransaction(ctx.pool, async (tx) => {
    let previous = genesisHash;
    let position = 0;
    let count = 0;
    for (;;) {
      const page = await listLogEntries(tx, { afterPosition: position, limit: 500 });
      if (page.length === 0) break;
      for (const entry of page) {
        const broken = (reason: string): LogVerification => ({
          valid: false,
          entries: count,
          headHash: previous,
          firstBroken: { position: entry.position, reason },
        });
        if (entry.position !== position + 1) return broken(`position ${position + 1} is missing`);
        if (entry.previousHash !== previous) return broken('does not link to the entry before it');
        if (entryHashOf(entry.position, entry.previousHash, entry) !== entry.entryHash)
          return broken('entry hash does not match its fields');
        if (entry.messageKind === 'edoc' && entry.outcome !== 'accepted' && entry.direction === 'sent') {
          // refused before a message existed: nothing stored to compare
        } else if (entry.messageKind === 'edoc') {
          const message = await readExchangeMessage(tx, entry.exchangeId);
          if (!message || createHash('sha256').update(message).digest('hex') !== entry.messageSha256) {
            return broken('the stored message no longer has the SHA-256 logged for it');
          }
        }
        previous = entry.entryHash;
        position = entry.position;
        count += 1;
      }
    }
    return { valid: true, entries: count, headHash: previous };
  });
}
