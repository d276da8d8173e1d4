import { createHash } from 'node:crypto';

export const genesisHash = '0'.repeat(64);

/** JSON with object keys sorted at every level, so a row hashes the same after a jsonb round trip. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export type ChainedFields = {
  processId: string;
  seq: number;
  at: Date;
  actor: string;
  action: string;
  taskId: string | null;
  step: string | null;
  detail: Record<string, unknown>;
  previousHash: string;
};

/** The hash of a history row: SHA-256 over its fields and the previous row's hash. */
export function historyHash(fields: ChainedFields): string {
  return createHash('sha256')
    .update(
      canonicalJson({
        processId: fields.processId,
        seq: fields.seq,
        at: fields.at.toISOString(),
        actor: fields.actor,
        action: fields.action,
        taskId: fields.taskId,
        step: fields.step,
        detail: fields.detail,
        previousHash: fields.previousHash,
      }),
    )
    .digest('hex');
}

export type ChainVerdict = { valid: boolean; entries: number; firstBrokenSeq?: number; reason?: string };

/** Recomputes the chain from the first row: any edited, removed or reordered row breaks it. */
export function verifyChain(entries: (ChainedFields & { hash: string })[]): ChainVerdict {
  let previous = genesisHash;
  for (const [index, entry] of entries.entries()) {
    if (entry.seq !== index + 1)
      return { valid: false, entries: entries.length, firstBrokenSeq: entry.seq, reason: 'gap in sequence' };
    if (entry.previousHash !== previous)
      return {
        valid: false,
        entries: entries.length,
        firstBrokenSeq: entry.seq,
        reason: 'previous hash does not match',
      };
    if (historyHash(entry) !== entry.hash)
      return {
        valid: false,
        entries: entries.length,
        firstBrokenSeq: entry.seq,
        reason: 'row hash does not match its content',
      };
    previous = entry.hash;
  }
  return { valid: true, entries: entries.length };
}
