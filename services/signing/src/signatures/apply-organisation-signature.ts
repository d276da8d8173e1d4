import { randomUUID } from 'node:crypto';
import { AppError, enqueueEvent, requireRole, vietnamIsoDateTime } from '@vanthu/platform';
import type { Mutation, Tx } from '@vanthu/platform';
import { signatureAppliedV1 } from '@vanthu/contracts';
import type { SignatureAppliedV1 } from '@vanthu/contracts';
import { planAppearance } from '../appearance/place-appearance';
import type { AppearanceRequest, Rect } from '../appearance/place-appearance';
import { signPdf } from '../pades/pades-engine';
import type { PadesLevel } from '../pades/pades-engine';
import { hsmSigner } from '../pades/signer';
import { verifyPdfSignatures } from '../pades/verify-signatures';
import { latestImage } from '../repositories/images-repository';
import { deleteSealAttempt, findSealAttempt, recordSealAttempt } from '../repositories/seal-attempts-repository';
import { insertSignature, signaturesOf } from '../repositories/signatures-repository';
import type { SignatureRow } from '../repositories/signatures-repository';
import { mapSigningErrors } from './map-signing-errors';
import { readPdfForSigning } from './read-pdf';
import { resolveSeal } from '../signing-keys/resolve-seal';
import { eventMeta } from '../context';
import type { SigningContext } from '../context';
import { sha256Hex } from './signing-deps';
import { organisationOf, subjectText } from '../x509/certificate';

export type ApplyOrganisationSignatureInput = {
  documentId: string;
  kind: 'issue' | 'attachment' | 'copy' | 'digitisation';
  /** B-LT unless asked otherwise. */
  level?: PadesLevel;
  basedOnVersion?: number;
  notation?: string;
  copyForm?: 'SAO Y' | 'SAO LỤC' | 'TRÍCH SAO';
  copyingAgency?: string;
  reason?: string;
  location?: string;
  /** Explicit placement instead of the automatic one (page index 0-based, PDF points). */
  rect?: Rect;
};

const COPY_FORMS = ['SAO Y', 'SAO LỤC', 'TRÍCH SAO'];

/**
 * Signs a document with the agency's organisation key in the HSM and stores the result as the
 * next version through the documents service. NĐ 30/2020 Điều 32.2.d: Văn thư applies the
 * organisation signature only to a document already signed by the person with authority.
 */
export async function applyOrganisationSignature(
  input: ApplyOrganisationSignatureInput,
  ctx: SigningContext,
): Promise<Mutation<SignatureRow>> {
  const { identity, signing: deps } = ctx;
  requireRole(identity, 'clerk');
  const command = { ...input, level: input.level ?? 'B-LT' };
  // One transaction from the Idempotency-Key's claim to the stored signature: a repeat replays before anything is
  // signed again, and a concurrent repeat waits for the first to commit.
  return mapSigningErrors(() =>
    ctx.runInTransaction(async (tx) => {
      const seal = await resolveSeal(tx, identity.agencyCode, deps, ctx.clock());
      if (!seal)
        throw new AppError(
          'UNPROCESSABLE',
          `agency ${identity.agencyCode} has no active organisation seal key; its administrator generates one (POST /v1/signing-keys) and attaches the CA's certificate`,
        );
      const document = await deps.documents.getDocument(ctx.forward, command.documentId);
      const recovered = await recoverStoredSeal(tx, ctx, command.documentId, document.versions);
      if (recovered) return recovered;
      const version = document.currentVersion;
      if (command.basedOnVersion !== undefined && command.basedOnVersion !== version) {
        throw new AppError('CONFLICT', `version ${command.basedOnVersion} is not the current version (${version})`);
      }
      const pdf = await deps.documents.getContent(ctx.forward, command.documentId, version);
      const reader = readPdfForSigning(pdf);
      const now = ctx.clock();
      let request: AppearanceRequest;
      if (command.kind === 'issue') {
        const approval = (await signaturesOf(tx, identity.agencyCode, command.documentId)).find(
          (s) => s.kind === 'approval' && s.version === version,
        );
        const inPdf = approval
          ? verifyPdfSignatures(reader).find((s) => s.fieldName === approval.fieldName)
          : undefined;
        // NĐ 30/2020 Điều 32.2.d: the approval must be on this exact version and still valid. The
        // version's bytes are the very bytes stored with the approval (its B-LT/LTA updates
        // included), and the approval's CMS still verifies over its revision.
        const exactBytes = approval !== undefined && sha256Hex(pdf) === approval.sha256;
        if (!approval || !exactBytes || !inPdf?.valid || inPdf.certificateSha256 !== approval.certificateSha256) {
          throw new AppError(
            'UNPROCESSABLE',
            `version ${version} carries no valid signature of the person with authority; the organisation signature can only follow it (NĐ 30/2020 Điều 32.2.d)`,
            {
              errors: [{ field: 'documentId', message: 'no valid approval signature on the current version' }],
            },
          );
        }
        const image = await latestImage(tx, identity.agencyCode, identity.agencyCode, 'seal');
        if (!image)
          throw new AppError(
            'UNPROCESSABLE',
            'upload the agency seal image (POST /v1/signature-images, kind seal) first',
          );
        if (!approval.appearance)
          throw new AppError('UNPROCESSABLE', 'the approval signature has no visible appearance to place the seal on');
        request = {
          kind: 'issue',
          image: image.png,
          imageSize: { width: image.widthPx, height: image.heightPx },
          widthMm: image.widthMm ?? 36,
          approvalRect: approval.appearance,
        };
      } else if (command.kind === 'attachment') {
        const notation = document.registration?.notation ?? command.notation;
        if (!notation)
          throw new AppError(
            'VALIDATION_FAILED',
            'the document is not registered yet; give its số và ký hiệu as notation',
            { errors: [{ field: 'notation', message: 'required' }] },
          );
        // NĐ 30/2020 Phụ lục I.II.8.b: "{số ký hiệu}, {time ISO 8601 +07:00}".
        request = { kind: 'attachment', text: `${notation}, ${vietnamIsoDateTime(now)}` };
      } else if (command.kind === 'copy') {
        if (!command.copyForm || !COPY_FORMS.includes(command.copyForm))
          throw new AppError('VALIDATION_FAILED', 'copyForm must be SAO Y, SAO LỤC or TRÍCH SAO', {
            errors: [{ field: 'copyForm', message: 'required' }],
          });
        // NĐ 30/2020 Phụ lục I Phần II: copy form, copying agency, time (ISO 8601, +07:00).
        const agency = command.copyingAgency ?? organisationOf(seal.certificate) ?? identity.agencyCode;
        request = { kind: 'copy', text: `${command.copyForm}, ${agency}, ${vietnamIsoDateTime(now)}` };
      } else {
        const image = await latestImage(tx, identity.agencyCode, identity.agencyCode, 'seal');
        if (!image)
          throw new AppError(
            'UNPROCESSABLE',
            'upload the agency seal image (POST /v1/signature-images, kind seal) first',
          );
        request = {
          kind: 'digitisation',
          image: image.png,
          imageSize: { width: image.widthPx, height: image.heightPx },
          widthMm: image.widthMm ?? 36,
        };
      }
      const plan = await planAppearance(
        pdf,
        command.rect ? ({ ...request, rect: command.rect } as AppearanceRequest) : request,
        deps.fontPath,
      );
      const signer = hsmSigner(deps.hsm, seal.keyIdHex, seal.certificate, seal.chain, seal.scheme, deps.hash);
      const appended = await signPdf(
        reader,
        signer,
        {
          signingTime: now,
          ...(command.reason ? { reason: command.reason } : {}),
          ...(command.location ? { location: command.location } : {}),
        },
        command.level,
        deps.pades,
        plan.builder,
      );
      const signed = Buffer.concat([pdf, appended]);
      const fieldName = verifyPdfSignatures(readPdfForSigning(signed)).at(-1)?.fieldName ?? '';
      const id = randomUUID();
      const row = {
        id,
        agencyCode: identity.agencyCode,
        documentId: command.documentId,
        kind: command.kind,
        level: command.level,
        signedVersion: version,
        sha256: sha256Hex(signed),
        fieldName,
        signerUserId: null,
        certificateSha256: seal.certificate.sha256,
        certificateSubject: subjectText(seal.certificate),
        authorityPrefix: null,
        keyIdHex: seal.keyIdHex,
        sessionId: null,
        appearance: plan.rect,
      };
      const attemptKey = sealAttemptKey(ctx);
      if (attemptKey)
        await recordSealAttempt(deps.pool, {
          ...attemptKey,
          documentId: command.documentId,
          signedSha256: row.sha256,
          signature: row,
        });
      const stored = await deps.documents.addSignedVersion(
        ctx.forward,
        command.documentId,
        version,
        signed,
        `signed-v${version + 1}.pdf`,
        `sign-${id}`,
      );
      const signature = await insertSignature(tx, { ...row, version: stored.currentVersion });
      if (attemptKey) await deleteSealAttempt(tx, attemptKey);
      await emitApplied(tx, signature, ctx);
      return signature;
    }),
  );
}

const sealAttemptKey = (ctx: SigningContext) =>
  ctx.idempotencyKey === undefined
    ? undefined
    : { agencyCode: ctx.identity.agencyCode, userId: ctx.identity.userId, idempotencyKey: ctx.idempotencyKey };

/**
 * A retry (same Idempotency-Key) of a seal whose bytes documents stored but whose signature row never committed
 * (a crash or a lost answer in between): the signature is recorded on the stored version instead of sealing the
 * document a second time. When documents did not store the bytes, the attempt is dropped and the seal is made anew.
 */
async function recoverStoredSeal(
  tx: Tx,
  ctx: SigningContext,
  documentId: string,
  versions: { version: number; sha256: string }[],
): Promise<SignatureRow | undefined> {
  const key = sealAttemptKey(ctx);
  if (!key) return undefined;
  const attempt = await findSealAttempt(tx, key);
  if (!attempt) return undefined;
  await deleteSealAttempt(tx, key);
  const stored = versions.find((v) => v.sha256 === attempt.signedSha256);
  if (attempt.documentId !== documentId || !stored) return undefined;
  ctx.logger.warn({ documentId, version: stored.version }, 'seal stored by documents but not recorded: recovered');
  const signature = await insertSignature(tx, { ...attempt.signature, version: stored.version });
  await emitApplied(tx, signature, ctx);
  return signature;
}

/** Announces a signature in the transaction that stored it. */
export async function emitApplied(tx: Tx, row: SignatureRow, ctx: SigningContext): Promise<void> {
  const event: SignatureAppliedV1 = {
    signatureId: row.id,
    documentId: row.documentId,
    agencyCode: row.agencyCode,
    kind: row.kind,
    level: row.level,
    signedVersion: row.signedVersion,
    version: row.version,
    sha256: row.sha256,
    signerUserId: row.signerUserId,
    certificateSha256: row.certificateSha256,
    certificateSubject: row.certificateSubject,
    authorityPrefix: row.authorityPrefix,
    signedAt: row.signedAt,
  };
  await enqueueEvent(
    tx,
    signatureAppliedV1,
    row.documentId,
    event,
    eventMeta(ctx, row.agencyCode),
    ctx.signing.topicPrefix,
  );
}
