import { withTransaction } from '@vanthu/platform';
import type { Identity, Pool } from '@vanthu/platform';
import { signaturesOf } from '../repositories/signatures-repository';
import type { SignatureRow } from '../repositories/signatures-repository';

export type ListSignaturesInput = { documentId: string };

/** The signatures applied to a document of the caller's agency, in version order (another agency's: none). */
export async function listSignatures(
  input: ListSignaturesInput,
  ctx: { identity: Identity; pool: Pool },
): Promise<SignatureRow[]> {
  return withTransaction(ctx.pool, (tx) => signaturesOf(tx, ctx.identity.agencyCode, input.documentId));
}
