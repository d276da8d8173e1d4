import { AppError, enqueueEvent, requireRole } from '@vanthu/platform';
import type { Mutation } from '@vanthu/platform';
import { signingKeyActivatedV1, signingKeyRotatedV1 } from '@vanthu/contracts';
import { activateSigningKey, findSigningKey } from '../repositories/signing-keys-repository';
import { eventMeta } from '../context';
import type { SigningContext } from '../context';
import { assertAcceptableCertificate } from '../certificates/check-certificate';
import { mapSigningErrors } from '../signatures/map-signing-errors';
import { decodeCertificate } from '../signatures/prepare-signing-session';
import { toSigningKeyView } from './signing-key-view';
import type { SigningKeyView } from './signing-key-view';
import { isSelfIssued, issuerText, serialHexOf, spkiOf, subjectText, validityOf } from '../x509/certificate';

export type AttachSigningKeyCertificateInput = {
  signingKeyId: string;
  /** The certificate the CA issued for the key's request (PEM or base64 DER). */
  certificate: string;
  /** Intermediates the CA handed over with it, when the trust store does not already hold them. */
  chain?: string[];
};

/**
 * Attaches the CA's certificate to a seal key waiting for it and activates the key: the certificate must carry the
 * very public key the HSM holds for it, be in its validity period, chain to a trusted root and not be revoked.
 * Attaching the same certificate again changes nothing; a retired key is never activated again, and an active key
 * does not take another certificate (rotate it: a new key, a new request).
 */
export async function attachSigningKeyCertificate(
  input: AttachSigningKeyCertificateInput,
  ctx: SigningContext,
): Promise<Mutation<SigningKeyView>> {
  const { identity, signing: deps } = ctx;
  requireRole(identity, 'admin');
  const certificate = decodeCertificate(input.certificate);
  const extra = (input.chain ?? []).map(decodeCertificate);
  const sha256 = certificate.sha256;
  return mapSigningErrors(() =>
    ctx.runInTransaction(async (tx) => {
      const key = await findSigningKey(tx, identity.agencyCode, input.signingKeyId, { lock: true });
      if (!key) throw new AppError('NOT_FOUND', `signing key ${input.signingKeyId} not found`);
      if (key.status === 'retired')
        throw new AppError('CONFLICT', `signing key ${key.id} is retired and cannot be activated again`);
      if (key.status === 'active') {
        if (key.certificateSha256 === sha256) return toSigningKeyView(key);
        throw new AppError(
          'CONFLICT',
          `signing key ${key.id} is already active with another certificate; rotate it (POST /v1/signing-keys/${key.id}/rotation) for a new one`,
        );
      }
      // The certificate is for this key only if it names the public key the HSM generated; the HSM is asked again
      // so that a key deleted from the token since then is not activated.
      const inHsm = await deps.hsm.publicKeyOf(key.keyIdHex);
      if (!inHsm)
        throw new AppError('UNPROCESSABLE', `the HSM no longer holds key ${key.keyIdHex}; generate a new key`, {
          errors: [{ field: 'signingKeyId', message: 'key missing from the HSM' }],
        });
      const certified = spkiOf(certificate);
      if (!certified.equals(inHsm) || !certified.equals(key.publicKeyDer))
        throw new AppError('UNPROCESSABLE', "the certificate's public key is not the key generated in the HSM", {
          errors: [{ field: 'certificate', message: 'public key does not match the signing key' }],
        });
      const at = ctx.clock();
      const chain = await assertAcceptableCertificate(certificate, extra, deps, at);
      const activated = await activateSigningKey(
        tx,
        key.id,
        {
          der: certificate.der,
          sha256,
          subject: subjectText(certificate),
          issuer: issuerText(certificate),
          serialHex: serialHexOf(certificate),
          // What a seal embeds besides the leaf: the intermediates, not the trusted root.
          chainDer: chain
            .slice(1)
            .filter((c) => !isSelfIssued(c))
            .map((c) => c.der),
          notBefore: validityOf(certificate).notBefore.toISOString(),
          notAfter: validityOf(certificate).notAfter.toISOString(),
        },
        { userId: identity.userId, at: at.toISOString() },
      );
      await enqueueEvent(
        tx,
        signingKeyActivatedV1,
        activated.id,
        {
          signingKeyId: activated.id,
          agencyCode: activated.agencyCode,
          keyIdHex: activated.keyIdHex,
          certificateSha256: sha256,
          certificateSubject: activated.certificateSubject ?? '',
          notBefore: activated.notBefore ?? '',
          notAfter: activated.notAfter ?? '',
          activatedBy: identity.userId,
          activatedAt: activated.activatedAt ?? '',
        },
        eventMeta(ctx, activated.agencyCode),
        deps.topicPrefix,
      );
      if (activated.rotatesKeyId) {
        // From now on this key seals instead of the one it replaces, which stays valid during the overlap.
        const previous = await findSigningKey(tx, identity.agencyCode, activated.rotatesKeyId);
        await enqueueEvent(
          tx,
          signingKeyRotatedV1,
          activated.id,
          {
            signingKeyId: activated.id,
            previousKeyId: activated.rotatesKeyId,
            agencyCode: activated.agencyCode,
            previousNotAfter: previous?.notAfter ?? null,
            rotatedBy: identity.userId,
            rotatedAt: activated.activatedAt ?? '',
          },
          eventMeta(ctx, activated.agencyCode),
          deps.topicPrefix,
        );
      }
      return toSigningKeyView(activated);
    }),
  );
}
