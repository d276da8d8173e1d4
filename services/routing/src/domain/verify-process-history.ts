import type { ChainVerdict } from './history-chain';
import { verifyChain } from './history-chain';
import { getProcessHistory } from './get-process-history';
import type { RoutingContext } from './routing-context';

export type VerifyProcessHistoryInput = { processId: string };

/** Recomputes the hash chain of a process's history from its first row. */
export async function verifyProcessHistory(
  input: VerifyProcessHistoryInput,
  ctx: RoutingContext,
): Promise<ChainVerdict & { headHash: string | null }> {
  const entries = await getProcessHistory(input, ctx);
  return { ...verifyChain(entries), headHash: entries.at(-1)?.hash ?? null };
}
