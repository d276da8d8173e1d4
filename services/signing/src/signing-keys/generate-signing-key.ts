import { AppError, requireRole } from '@vanthu/platform';
import type { Mutation } from '@vanthu/platform';
import { openSigningKeys } from '../repositories/signing-keys-repository';
import type { SigningKeyAlgorithm } from '../repositories/signing-keys-repository';
import type { SigningContext } from '../context';
import { createSealKey } from './create-seal-key';
import { mapSigningErrors } from '../signatures/map-signing-errors';
import { toSigningKeyView } from './signing-key-view';
import type { SigningKeyView } from './signing-key-view';

export type GenerateSigningKeyInput = { agencyCode: string; algorithm?: SigningKeyAlgorithm };

/**
 * Onboarding an agency's organisation seal (chữ ký số của cơ quan, tổ chức): its administrator has the key pair
 * generated inside the HSM and gets the PKCS#10 request to take to the CA, carrying the agency's name as the
 * organisation directory lists it and its mã định danh. The private key never leaves the HSM. An agency with a
 * key already waiting for its certificate, or with an active one (rotate it instead), is refused.
 */
export async function generateSigningKey(
  input: GenerateSigningKeyInput,
  ctx: SigningContext,
): Promise<Mutation<SigningKeyView>> {
  const { identity } = ctx;
  requireRole(identity, 'admin');
  if (input.agencyCode !== identity.agencyCode)
    throw new AppError('FORBIDDEN', "an administrator generates only their own agency's seal key");
  return mapSigningErrors(() =>
    ctx.runInTransaction(async (tx) => {
      const active = (await openSigningKeys(tx, input.agencyCode)).find((k) => k.status === 'active');
      if (active)
        throw new AppError(
          'CONFLICT',
          `agency ${input.agencyCode} already seals with key ${active.id}; rotate it (POST /v1/signing-keys/${active.id}/rotation)`,
        );
      const row = await createSealKey(
        tx,
        { agencyCode: input.agencyCode, algorithm: input.algorithm ?? 'rsa-3072', rotatesKeyId: null },
        ctx,
      );
      return toSigningKeyView(row);
    }),
  );
}
