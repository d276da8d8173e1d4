import { AppError, requireRole } from '@vanthu/platform';
import { findSigningKey } from '../repositories/signing-keys-repository';
import type { SigningContext } from '../context';
import { toSigningKeyView } from './signing-key-view';
import type { SigningKeyView } from './signing-key-view';

export type GetSigningKeyInput = { signingKeyId: string };

/** One of the agency's seal keys with its certification request (administrators); another agency's is not found. */
export async function getSigningKey(input: GetSigningKeyInput, ctx: SigningContext): Promise<SigningKeyView> {
  requireRole(ctx.identity, 'admin');
  const { result } = await ctx.runInTransaction((tx) =>
    findSigningKey(tx, ctx.identity.agencyCode, input.signingKeyId),
  );
  if (!result) throw new AppError('NOT_FOUND', `signing key ${input.signingKeyId} not found`);
  return toSigningKeyView(result);
}
