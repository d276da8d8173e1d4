import { createHash } from 'node:crypto';
import { withTransaction } from '@vanthu/platform';
import type { Pool } from '@vanthu/platform';
import { readTimestampToken } from '../../clients/tsa-client';
import { listLogAnchors, listLogEntries } from '../../repositories/exchange-log-repository';
import { readExchangeMessage } from '../../repositories/exchanges-repository';
import type { BlobStore } from '@vanthu/platform';
import { entryHashOf, genesisHash } from './exchange-log';

export type LogVerification = {
  valid: boolean;
  entries: number;
  headHash: string;
  /** The first entry that breaks the chain or whose logged message no longer has its SHA-256. */
  firstBroken?: { position: number; reason: string };
  /** How many time-stamps of the chain head were checked, and the newest: the log up to it existed then. */
  anchors: number;
  lastAnchor?: { position: number; headHash: string; genTime: string; tsa: string };
};

/**
 * Walks the whole chain from the genesis hash: every entry's hash is recomputed, must link to the
 * one before, and an edoc entry's message as stored must still have the SHA-256 logged for it. Then
 * every TSA anchor must time-stamp the hash the chain has at its position, under a signature that verifies.
 */
export async function verifyExchangeLog(
  _input: Record<string, never>,
  ctx: { pool: Pool; messages: BlobStore },
): Promise<LogVerification> {
  return withTransaction(ctx.pool, async (tx) => {
    let previous = genesisHash;
    let position = 0;
    let count = 0;
    const hashes = new Map<number, string>();
    for (;;) {
      const page = await listLogEntries(tx, { afterPosition: position, limit: 500 });
      if (page.length === 0) break;
      for (const entry of page) {
        const broken = (reason: string): LogVerification => ({
          valid: false,
          entries: count,
          headHash: previous,
          firstBroken: { position: entry.position, reason },
          anchors: 0,
        });
        if (entry.position !== position + 1) return broken(`position ${position + 1} is missing`);
        if (entry.previousHash !== previous) return broken('does not link to the entry before it');
        if (entryHashOf(entry.position, entry.previousHash, entry) !== entry.entryHash)
          return broken('entry hash does not match its fields');
        const delivered = entry.outcome === 'accepted' || entry.outcome === 'already-held';
        if (entry.messageKind === 'edoc' && !delivered && entry.direction === 'sent') {
          // refused before a message existed: nothing stored to compare
        } else if (entry.messageKind === 'edoc') {
          // Its file, hashed as a stream; a row from before messages moved to files, its bytes in the row.
          const message = await readExchangeMessage(tx, entry.exchangeId);
          const now = !message
            ? undefined
            : message.inFile
              ? await ctx.messages.hashNow(message.sha256)
              : createHash('sha256').update(message.bytes).digest('hex');
          if (now !== entry.messageSha256) {
            return broken('the stored message no longer has the SHA-256 logged for it');
          }
        }
        previous = entry.entryHash;
        position = entry.position;
        hashes.set(entry.position, entry.entryHash);
        count += 1;
      }
    }
    const anchors = await listLogAnchors(tx);
    for (const anchor of anchors) {
      const broken = (reason: string): LogVerification => ({
        valid: false,
        entries: count,
        headHash: previous,
        firstBroken: { position: anchor.position, reason },
        anchors: 0,
      });
      if (hashes.get(anchor.position) !== anchor.headHash) {
        return broken('the time-stamped head is not the hash the chain has at this position');
      }
      let token: ReturnType<typeof readTimestampToken> | undefined;
      try {
        token = readTimestampToken(anchor.token);
      } catch {
        token = undefined;
      }
      if (!token || !token.digest.equals(Buffer.from(anchor.headHash, 'hex'))) {
        return broken('the time-stamp token does not stamp this head');
      }
      if (!token.signatureValid) return broken('the time-stamp token’s signature does not verify');
    }
    const last = anchors[anchors.length - 1];
    return {
      valid: true,
      entries: count,
      headHash: previous,
      anchors: anchors.length,
      ...(last
        ? {
            lastAnchor: {
              position: last.position,
              headHash: last.headHash,
              genTime: last.genTime.toISOString(),
              tsa: last.tsa,
            },
          }
        : {}),
    };
  });
}
