import type { SigningContext } from '../context';
import { signaturesOf } from '../repositories/signatures-repository';
import type { SignatureRow } from '../repositories/signatures-repository';

export type ListSignaturesInput = { documentId: string };

/**
 * The signatures applied to a document of the caller's agency, in version order. Another agency's document, or one
 * that does not exist, is "not found" (never an empty list that would differ from a real document's): when signing
 * holds no signature of the caller's agency for it, documents says whether the caller may see the document at all.
 */
export async function listSignatures(input: ListSignaturesInput, ctx: SigningContext): Promise<SignatureRow[]> {
  const { result } = await ctx.runInTransaction((tx) => signaturesOf(tx, ctx.identity.agencyCode, input.documentId));
  if (result.length === 0) await ctx.signing.documents.getDocument(ctx.forward, input.documentId);
  return result;
}
