import { createHash, randomUUID } from 'node:crypto';
import { AppError, enqueueEvent, requireRole, withTransaction } from '@vanthu/platform';
import type { Mutation } from '@vanthu/platform';
import { signingSessionPreparedV1 } from '@vanthu/contracts';
import type { SigningSessionPreparedV1 } from '@vanthu/contracts';
import { planAppearance } from '../appearance/place-appearance';
import type { AppearanceRequest, Rect } from '../appearance/place-appearance';
import type { SignatureScheme } from '../pades/algorithms';
import { buildSignedAttributes } from '../pades/cms';
import { prepareRevision } from '../pades/pades-engine';
import type { PadesLevel } from '../pades/pades-engine';
import { certificatesOf, findCertificateBySha } from '../repositories/certificates-repository';
import { latestImage } from '../repositories/images-repository';
import { insertSession, insertSessionItem } from '../repositories/sessions-repository';
import { assertValidPeriod } from '../certificates/check-certificate';
import { mapSigningErrors } from './map-signing-errors';
import { readPdfForSigning } from './read-pdf';
import { printedSigner } from './printed-signer';
import { eventMeta } from '../context';
import type { SigningContext } from '../context';
import { sha256Hex } from './signing-deps';
import { toCert } from '../x509/certificate';
import type { Cert } from '../x509/certificate';

export const MAX_BATCH = 200;

export type PrepareSigningSessionInput = {
  kind: 'initial' | 'approval' | 'consultation-answer';
  /** kind consultation-answer: routing's claim that the one document is the caller's answer sheet. */
  answerSheetClaim?: string;
  step?: 'content' | 'format';
  /** B-LT unless asked otherwise. */
  level?: PadesLevel;
  /** rsa-pkcs1 unless asked otherwise. */
  scheme?: SignatureScheme;
  certificate?: string;
  authorityPrefix?: string;
  signerName?: string;
  positionText?: string;
  documents: { documentId: string; basedOnVersion?: number; rect?: Rect }[];
};

export type PreparedSession = {
  id: string;
  expiresAt: string;
  digestAlgorithm: string;
  items: {
    documentId: string;
    version: number;
    dataToSign: string | null;
    digest: string | null;
    documentDigest: string;
  }[];
};

/** The audience routing gives its answer-sheet claims (services/routing/src/consultations/request-answer-sheet.ts). */
export const answerSheetAudience = 'vanthu-signing:consultation-answer';

type AnswerSheetClaim = { documentId: string; version: number; sha256: string; consultationId: string };

/**
 * Grants a consultation-answer session only on routing's claim, made with the service key, that the single document
 * is the caller's answer sheet in their agency (its version and digest are checked against what documents serves):
 * without it a member who is no leader could have signing sign anything.
 */
function answerSheetFor(input: PrepareSigningSessionInput, ctx: SigningContext): AnswerSheetClaim {
  const refuse = (message: string): never => {
    throw new AppError(
      'FORBIDDEN',
      `a consultation-answer signature needs routing's claim on your answer sheet: ${message}`,
    );
  };
  if (input.documents.length !== 1)
    throw new AppError('VALIDATION_FAILED', 'a consultation-answer session covers exactly one answer sheet', {
      errors: [{ field: 'documents', message: 'exactly one' }],
    });
  if (!input.answerSheetClaim) return refuse('answerSheetClaim is missing');
  if (!ctx.signing.serviceClaims) return refuse('this signing service is not configured to verify service claims');
  let claims: Record<string, unknown>;
  try {
    claims = ctx.signing.serviceClaims(input.answerSheetClaim, {
      audience: answerSheetAudience,
      serviceName: 'routing',
    });
  } catch {
    return refuse('the claim is expired, or not made by routing for this purpose');
  }
  if (claims.agency !== ctx.identity.agencyCode || claims.member !== ctx.identity.userId)
    return refuse(`the claim is for ${String(claims.member)} of ${String(claims.agency)}, not for you`);
  if (claims.documentId !== input.documents[0]?.documentId)
    return refuse(`the claim is for document ${String(claims.documentId)}`);
  if (
    typeof claims.version !== 'number' ||
    typeof claims.sha256 !== 'string' ||
    typeof claims.consultationId !== 'string'
  )
    return refuse('the claim does not name the sheet');
  return {
    documentId: claims.documentId as string,
    version: claims.version,
    sha256: claims.sha256,
    consultationId: claims.consultationId,
  };
}

function decodeCertificate(text: string): Cert {
  try {
    const b64 = text.includes('BEGIN CERTIFICATE') ? text.replace(/-----(BEGIN|END) CERTIFICATE-----|\s+/g, '') : text;
    return toCert(Buffer.from(b64, 'base64'));
  } catch {
    throw new AppError('VALIDATION_FAILED', 'certificate must be a base64 DER or PEM X.509 certificate', {
      errors: [{ field: 'certificate', message: 'not a certificate' }],
    });
  }
}
export { decodeCertificate };

/**
 * Step one of signing with a personal token (USB token, VGCA SignService): builds each signed
 * revision up to the CMS, stores it durably and returns the DER signed attributes to sign.
 * The certificate comes from the request or the caller's single active registered one; when
 * neither is known, only the document digest is returned and complete must bring a full CMS.
 */
export async function prepareSigningSession(
  input: PrepareSigningSessionInput,
  ctx: SigningContext,
): Promise<Mutation<PreparedSession>> {
  const { identity, signing: deps } = ctx;
  const command = { ...input, level: input.level ?? 'B-LT', scheme: input.scheme ?? 'rsa-pkcs1' };
  // NĐ 30/2020 Điều 10–13 (flow): content initials by the unit leader, format initials by the
  // format checker, the approval by the person with authority.
  // A consultation's member signs their own answer sheet whatever their role (docs/domain/directives.md, Đà Nẵng §3b),
  // on routing's claim that the document is that sheet (answerSheetFor); it is no initial and no approval.
  const answerSheet = command.kind === 'consultation-answer' ? answerSheetFor(command, ctx) : undefined;
  if (command.kind === 'approval') requireRole(identity, 'agency-leader');
  else if (command.kind === 'consultation-answer') {
    // checked by answerSheetFor above
  } else if (command.step === 'format') requireRole(identity, 'format-checker');
  else requireRole(identity, 'unit-leader');
  if (command.documents.length === 0 || command.documents.length > MAX_BATCH) {
    throw new AppError('VALIDATION_FAILED', `a session covers 1 to ${MAX_BATCH} documents`, {
      errors: [{ field: 'documents', message: `1..${MAX_BATCH}` }],
    });
  }
  return mapSigningErrors(async () => {
    let certificate = command.certificate ? decodeCertificate(command.certificate) : undefined;
    await withTransaction(deps.pool, async (tx) => {
      if (certificate) {
        const row = await findCertificateBySha(tx, certificate.sha256);
        if (!row)
          throw new AppError(
            'FORBIDDEN',
            'this certificate is not registered; register it and have it activated first',
          );
        if (row.userId !== identity.userId || row.agencyCode !== identity.agencyCode)
          throw new AppError('FORBIDDEN', 'this certificate is registered to another person and cannot be used by you');
        if (row.status !== 'active') throw new AppError('FORBIDDEN', `this certificate is ${row.status}, not active`);
      } else {
        const active = (await certificatesOf(tx, identity.agencyCode, identity.userId)).filter(
          (c) => c.status === 'active' && new Date(c.notAfter) > ctx.clock(),
        );
        if (active.length === 1 && active[0]) certificate = toCert(active[0].der);
      }
    });
    if (certificate) assertValidPeriod(certificate, ctx.clock());
    // The printed signer is the certificate's holder, never free text from the client.
    const signerName = printedSigner({
      ...(certificate ? { certificate } : {}),
      ...(identity.name ? { directoryName: identity.name } : {}),
      ...(command.signerName !== undefined ? { requested: command.signerName } : {}),
    });
    const image = await withTransaction(deps.pool, (tx) =>
      latestImage(tx, identity.agencyCode, identity.userId, command.kind === 'approval' ? 'signature' : 'initial'),
    );
    if (command.kind === 'approval' && !image)
      throw new AppError(
        'UNPROCESSABLE',
        'upload your handwritten-signature image (POST /v1/signature-images, kind signature) first',
      );
    const id = randomUUID();
    const now = ctx.clock();
    const expiresAt = new Date(now.getTime() + deps.sessionTtlSeconds * 1000).toISOString();
    const prepared: PreparedSession['items'] = [];
    const rows: Parameters<typeof insertSessionItem>[2][] = [];
    for (const [position, item] of command.documents.entries()) {
      const document = await deps.documents.getDocument(ctx.forward, item.documentId);
      const version = document.currentVersion;
      if (item.basedOnVersion !== undefined && item.basedOnVersion !== version)
        throw new AppError(
          'CONFLICT',
          `document ${item.documentId}: version ${item.basedOnVersion} is not the current version (${version})`,
        );
      const pdf = await deps.documents.getContent(ctx.forward, item.documentId, version);
      if (answerSheet && (answerSheet.version !== version || answerSheet.sha256 !== sha256Hex(pdf)))
        throw new AppError(
          'FORBIDDEN',
          `document ${item.documentId} is no longer the answer sheet routing wrote (version ${answerSheet.version}); ask routing for the sheet again`,
        );
      const reader = readPdfForSigning(pdf);
      const request: AppearanceRequest =
        command.kind === 'approval'
          ? {
              kind: 'approval',
              image: image?.png as Buffer,
              imageSize: { width: image?.widthPx ?? 1, height: image?.heightPx ?? 1 },
              signerName,
              ...(command.positionText ? { positionText: command.positionText } : {}),
              ...(command.authorityPrefix ? { authorityPrefix: command.authorityPrefix } : {}),
              ...(item.rect ? { rect: item.rect } : {}),
            }
          : {
              // The answer sheet ends with "./.": the member's mark goes after it, like a content initial.
              kind: 'initial',
              step: command.kind === 'consultation-answer' ? 'content' : (command.step ?? 'content'),
              signerName,
              time: now,
              anchors: deps.anchors(identity.agencyCode),
              ...(item.rect ? { rect: item.rect } : {}),
              ...(image ? { image: image.png, imageSize: { width: image.widthPx, height: image.heightPx } } : {}),
            };
      const plan = await planAppearance(pdf, request, deps.fontPath);
      const chainGuess = certificate ? [certificate, ...deps.pades.certificatePool] : undefined;
      const revision = await prepareRevision(
        reader,
        { signingTime: now, name: signerName, ...(command.authorityPrefix ? { reason: command.authorityPrefix } : {}) },
        command.level,
        deps.hash,
        chainGuess,
        plan.builder,
      );
      const attributes = certificate
        ? buildSignedAttributes(revision.documentDigest, certificate, deps.hash)
        : undefined;
      rows.push({
        position,
        documentId: item.documentId,
        version,
        fieldName: revision.prepared.fieldName,
        options: {
          sha256: createHash('sha256').update(pdf).digest('hex'),
          authorityPrefix: command.authorityPrefix ?? null,
          printedName: signerName,
        },
        preparedUpdate: revision.prepared.update,
        preparedMeta: {
          baseSize: revision.prepared.baseSize,
          byteRange: revision.prepared.byteRange,
          contentsHexOffset: revision.prepared.contentsHexOffset,
          contentsSize: revision.prepared.contentsSize,
          appearance: plan.rect,
        },
        documentDigest: revision.documentDigest,
        signedAttributes: attributes?.der ?? null,
      });
      prepared.push({
        documentId: item.documentId,
        version,
        dataToSign: attributes ? attributes.der.toString('base64') : null,
        digest: attributes ? createHash(deps.hash).update(attributes.der).digest('base64') : null,
        documentDigest: revision.documentDigest.toString('base64'),
      });
    }
    // Everything the session leaves behind is written here, so a repeat with the same Idempotency-Key only replays.
    return ctx.runInTransaction(async (tx) => {
      await insertSession(tx, {
        id,
        agencyCode: identity.agencyCode,
        userId: identity.userId,
        kind: command.step && command.kind !== 'consultation-answer' ? `${command.kind}:${command.step}` : command.kind,
        level: command.level,
        hash: deps.hash,
        scheme: command.scheme,
        certificateSha256: certificate ? certificate.sha256 : null,
        expiresAt,
      });
      for (const row of rows) await insertSessionItem(tx, id, row);
      const event: SigningSessionPreparedV1 = {
        sessionId: id,
        agencyCode: identity.agencyCode,
        userId: identity.userId,
        kind: command.kind,
        documents: rows.map((r) => ({ documentId: r.documentId, version: r.version })),
        expiresAt,
      };
      await enqueueEvent(
        tx,
        signingSessionPreparedV1,
        id,
        event,
        eventMeta(ctx, identity.agencyCode),
        deps.topicPrefix,
      );
      const session: PreparedSession = {
        id,
        expiresAt,
        digestAlgorithm: deps.hash.toUpperCase().replace('SHA', 'SHA-'),
        items: prepared,
      };
      return session;
    });
  });
}
