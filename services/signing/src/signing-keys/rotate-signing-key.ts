import { AppError, requireRole } from '@vanthu/platform';
import type { Mutation } from '@vanthu/platform';
import { findSigningKey } from '../repositories/signing-keys-repository';
import type { SigningKeyAlgorithm } from '../repositories/signing-keys-repository';
import type { SigningContext } from '../context';
import { createSealKey } from './create-seal-key';
import { mapSigningErrors } from '../signatures/map-signing-errors';
import { toSigningKeyView } from './signing-key-view';
import type { SigningKeyView } from './signing-key-view';

export type RotateSigningKeyInput = { signingKeyId: string; algorithm?: SigningKeyAlgorithm };

/**
 * Rotation before the certificate expires: a new key pair is generated in the HSM to replace an active key, with its
 * request for the CA. Until the new key's certificate is attached the old key keeps sealing; from then on the new
 * one does, and the old one stays valid (for what it signed, and as a fallback) until it is retired or expires.
 */
export async function rotateSigningKey(
  input: RotateSigningKeyInput,
  ctx: SigningContext,
): Promise<Mutation<SigningKeyView>> {
  const { identity } = ctx;
  requireRole(identity, 'admin');
  return mapSigningErrors(() =>
    ctx.runInTransaction(async (tx) => {
      const key = await findSigningKey(tx, identity.agencyCode, input.signingKeyId, { lock: true });
      if (!key) throw new AppError('NOT_FOUND', `signing key ${input.signingKeyId} not found`);
      if (key.status !== 'active')
        throw new AppError('CONFLICT', `signing key ${key.id} is ${key.status}; only an active key is rotated`);
      const row = await createSealKey(
        tx,
        { agencyCode: key.agencyCode, algorithm: input.algorithm ?? key.algorithm, rotatesKeyId: key.id },
        ctx,
      );
      return toSigningKeyView(row);
    }),
  );
}
