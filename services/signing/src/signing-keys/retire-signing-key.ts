import { AppError, enqueueEvent, requireRole } from '@vanthu/platform';
import type { Mutation } from '@vanthu/platform';
import { signingKeyRetiredV1 } from '@vanthu/contracts';
import { findSigningKey, retireSigningKey as retireKeyRow } from '../repositories/signing-keys-repository';
import { eventMeta } from '../context';
import type { SigningContext } from '../context';
import { toSigningKeyView } from './signing-key-view';
import type { SigningKeyView } from './signing-key-view';

export type RetireSigningKeyInput = { signingKeyId: string; reason?: string };

/**
 * Retires one of the agency's seal keys (a replaced key after the overlap, or a request abandoned): it never seals
 * again and can never be activated again. The key stays in the HSM and signatures made with it stay valid: they
 * carry their certificate, and validity is judged at signing time.
 */
export async function retireSigningKey(
  input: RetireSigningKeyInput,
  ctx: SigningContext,
): Promise<Mutation<SigningKeyView>> {
  const { identity } = ctx;
  requireRole(identity, 'admin');
  return ctx.runInTransaction(async (tx) => {
    const key = await findSigningKey(tx, identity.agencyCode, input.signingKeyId, { lock: true });
    if (!key) throw new AppError('NOT_FOUND', `signing key ${input.signingKeyId} not found`);
    if (key.status === 'retired') throw new AppError('CONFLICT', `signing key ${key.id} is already retired`);
    const retired = await retireKeyRow(tx, key.id, {
      userId: identity.userId,
      at: ctx.clock().toISOString(),
      reason: input.reason?.normalize('NFC') ?? null,
    });
    await enqueueEvent(
      tx,
      signingKeyRetiredV1,
      retired.id,
      {
        signingKeyId: retired.id,
        agencyCode: retired.agencyCode,
        keyIdHex: retired.keyIdHex,
        reason: retired.retirementReason,
        retiredBy: identity.userId,
        retiredAt: retired.retiredAt ?? '',
      },
      eventMeta(ctx, retired.agencyCode),
      ctx.signing.topicPrefix,
    );
    return toSigningKeyView(retired);
  });
}
