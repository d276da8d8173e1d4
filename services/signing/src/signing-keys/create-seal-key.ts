import { createHash, randomUUID } from 'node:crypto';
import { AppError, enqueueEvent } from '@vanthu/platform';
import type { Tx } from '@vanthu/platform';
import { signingKeyGeneratedV1 } from '@vanthu/contracts';
import { insertSigningKey, isPendingKeyConflict, openSigningKeys } from '../repositories/signing-keys-repository';
import type { SigningKeyAlgorithm, SigningKeyRow } from '../repositories/signing-keys-repository';
import { eventMeta } from '../context';
import type { SigningContext } from '../context';
import { buildCertificationRequest, sealSubjectText } from './certification-request';

const modulusBits: Record<SigningKeyAlgorithm, number> = { 'rsa-2048': 2048, 'rsa-3072': 3072 };

/**
 * Generates an agency's seal key pair in the HSM, makes its certification request with it and records both, with
 * `signing-key.generated` in the same transaction. The private key is checked to be a sensitive, non-extractable
 * token object before anything is recorded; when anything fails after the generation, the key pair is destroyed so
 * that the HSM holds no key no record points to. The agency's name is the organisation directory's; one key may wait
 * for its certificate at a time. Shared by first generation and rotation.
 */
export async function createSealKey(
  tx: Tx,
  command: { agencyCode: string; algorithm: SigningKeyAlgorithm; rotatesKeyId: string | null },
  ctx: SigningContext,
): Promise<SigningKeyRow> {
  const { signing: deps, identity } = ctx;
  const pending = (await openSigningKeys(tx, command.agencyCode)).find((k) => k.status === 'pending');
  if (pending)
    throw new AppError(
      'CONFLICT',
      `key ${pending.id} of agency ${command.agencyCode} is still waiting for its certificate; attach it (PUT /v1/signing-keys/${pending.id}/certificate) or retire it first`,
    );
  const organisation = await deps.documents.findOrganisation(ctx.forward, command.agencyCode);
  if (!organisation)
    throw new AppError(
      'UNPROCESSABLE',
      `agency ${command.agencyCode} is not in the organisation directory; import it first (POST /v1/organisations/imports)`,
      { errors: [{ field: 'agencyCode', message: 'not in the directory' }] },
    );
  const id = randomUUID();
  const label = `seal-${command.agencyCode}-${id.slice(0, 8)}`;
  const generated = await deps.hsm.generateRsaKeyPair(label, modulusBits[command.algorithm]);
  try {
    const protection = await deps.hsm.privateKeyProtection(generated.idHex);
    if (!protection?.token || !protection.sensitive || protection.extractable || !protection.neverExtractable)
      throw new Error(`the HSM did not keep key ${generated.idHex} sensitive and non-extractable`);
    const subject = { agencyName: organisation.name, agencyCode: command.agencyCode };
    const csrDer = await buildCertificationRequest(subject, generated.publicKeyDer, deps.hash, (data) =>
      deps.hsm.sign(generated.idHex, 'rsa-pkcs1', deps.hash, data),
    );
    const row = await insertSigningKey(tx, {
      id,
      agencyCode: command.agencyCode,
      keyIdHex: generated.idHex,
      keyLabel: label,
      algorithm: command.algorithm,
      publicKeyDer: generated.publicKeyDer,
      csrDer,
      subject: sealSubjectText(subject),
      rotatesKeyId: command.rotatesKeyId,
      generatedBy: identity.userId,
      generatedAt: ctx.clock().toISOString(),
    }).catch((error: unknown) => {
      // One key may wait for its certificate at a time (a unique index): a concurrent generation loses here.
      if (isPendingKeyConflict(error))
        throw new AppError(
          'CONFLICT',
          `another request generated a key for agency ${command.agencyCode} at the same time`,
          {
            cause: error,
          },
        );
      throw error;
    });
    await enqueueEvent(
      tx,
      signingKeyGeneratedV1,
      row.id,
      {
        signingKeyId: row.id,
        agencyCode: row.agencyCode,
        keyIdHex: row.keyIdHex,
        algorithm: row.algorithm,
        publicKeySha256: createHash('sha256').update(row.publicKeyDer).digest('hex'),
        subject: row.subject,
        rotatesKeyId: row.rotatesKeyId,
        generatedBy: row.generatedBy,
        generatedAt: row.generatedAt,
      },
      eventMeta(ctx, row.agencyCode),
      deps.topicPrefix,
    );
    return row;
  } catch (error) {
    await deps.hsm.destroyKeyPair(generated.idHex).catch(() => undefined);
    throw error;
  }
}
