import type { Tx } from '@vanthu/platform';
import { findDelegationInForce } from '../repositories/delegations-repository';

// A delegate may be absent too (A → B while B → C); the chain is followed, but never round in a circle
// and never further than a few hops, which no real office needs.
const maxHops = 5;

/** Who actually receives a task meant for `userId` at `at`, given delegations and absences in force. */
export async function resolveDelegate(
  tx: Tx,
  input: { agencyCode: string; userId: string; at: Date },
): Promise<string> {
  const seen = new Set<string>([input.userId]);
  let current = input.userId;
  for (let hop = 0; hop < maxHops; hop += 1) {
    const delegation = await findDelegationInForce(tx, input.agencyCode, current, input.at);
    if (!delegation || seen.has(delegation.delegateUserId)) return current;
    current = delegation.delegateUserId;
    seen.add(current);
  }
  return current;
}
