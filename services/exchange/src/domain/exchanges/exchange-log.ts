import { createHash } from 'node:crypto';
import type { Tx } from '@vanthu/platform';
import { appendLogEntry, lockLogHead } from '../../repositories/exchange-log-repository';
import type { ExchangeLogEntry } from '../../repositories/exchange-log-repository';

// The exchange log (the X-Road idea of a signed message log): each entry carries the SHA-256 of
// the message and the hash of the entry before it, so changing, removing or reordering any entry
// or any logged message breaks the chain from there on. The table refuses UPDATE and DELETE.

export const genesisHash = '0'.repeat(64);

type Fields = Omit<ExchangeLogEntry, 'position' | 'previousHash' | 'entryHash'>;

export function entryHashOf(position: number, previousHash: string, fields: Fields): string {
  const canonical = JSON.stringify([
    position,
    previousHash,
    fields.exchangeId,
    fields.agencyCode,
    fields.direction,
    fields.messageKind,
    fields.hub,
    fields.transportId,
    fields.edxmlDocumentId,
    fields.messageSha256,
    fields.outcome,
    fields.at.toISOString(),
  ]);
  return createHash('sha256').update(canonical).digest('hex');
}

export async function appendToExchangeLog(tx: Tx, fields: Fields): Promise<ExchangeLogEntry> {
  const head = await lockLogHead(tx);
  const position = (head?.position ?? 0) + 1;
  const previousHash = head?.entryHash ?? genesisHash;
  // Microseconds are lost in PostgreSQL's round trip only below the millisecond, which Date never has.
  return appendLogEntry(tx, {
    ...fields,
    position,
    previousHash,
    entryHash: entryHashOf(position, previousHash, fields),
  });
}
