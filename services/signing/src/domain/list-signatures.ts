import type { SigningContext } from '../context';
import { signaturesOf } from '../repositories/signatures-repository';
import type { SignatureRow } from '../repositories/signatures-repository';

export type ListSignaturesInput = { documentId: string };

/** The signatures applied to a document of the caller's agency, in version order (another agency's: none). */
export async function listSignatures(input: ListSignaturesInput, ctx: SigningContext): Promise<SignatureRow[]> {
  const { result } = await ctx.runInTransaction((tx) => signaturesOf(tx, ctx.identity.agencyCode, input.documentId));
  return result;
}
