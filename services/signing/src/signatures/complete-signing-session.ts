import { constants, verify as nodeVerify } from 'node:crypto';
import { randomUUID } from 'node:crypto';
import { AppError, enqueueEvent } from '@vanthu/platform';
import type { Mutation, Tx } from '@vanthu/platform';
import { signingSessionCompletedV1 } from '@vanthu/contracts';
import type { SigningSessionCompletedV1 } from '@vanthu/contracts';
import { PdfReader } from '@vanthu/pdf';
import type { PreparedSignature } from '@vanthu/pdf';
import type { HashName, SignatureScheme } from '../pades/algorithms';
import { parseCms, signerCertificate } from '../pades/cms';
import { parseAttributeSet } from '../x509/cms-structure';
import { finishRevision } from '../pades/pades-engine';
import type { PadesLevel } from '../pades/pades-engine';
import { ecdsaRawToDer } from '../pades/signer';
import { finishSession, lockSession, sessionItems } from '../repositories/sessions-repository';
import type { SessionItemRow } from '../repositories/sessions-repository';
import { insertSignature } from '../repositories/signatures-repository';
import { emitApplied } from './apply-organisation-signature';
import { assertUsableCertificate } from '../certificates/check-certificate';
import { toSigningError } from './map-signing-errors';
import { SignerNameMismatchError, sameName } from './printed-signer';
import { eventMeta } from '../context';
import type { SigningContext } from '../context';
import { sha256Hex } from './signing-deps';
import { commonNameOf, issuerAndSerialOf, subjectText, toCert, tryCert } from '../x509/certificate';
import type { Cert } from '../x509/certificate';

export type CompleteSigningSessionInput = {
  sessionId: string;
  certificateChain?: string[];
  items: { documentId: string; signatureValue?: string; cms?: string }[];
};

export type SessionResult = { sessionId: string; status: 'completed'; results: SigningSessionCompletedV1['results'] };

const OID_MESSAGE_DIGEST = '1.2.840.113549.1.9.4';

function verifyValue(
  certificate: Cert,
  scheme: SignatureScheme,
  hash: HashName,
  data: Buffer,
  signature: Buffer,
): boolean {
  const key = certificate.x509.publicKey;
  try {
    if (scheme === 'rsa-pss')
      return nodeVerify(
        hash,
        data,
        { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_AUTO },
        signature,
      );
    if (scheme === 'ecdsa') {
      // Tokens return ECDSA as raw r‖s (PKCS#11) or DER; accept both.
      const der = signature[0] === 0x30 ? signature : ecdsaRawToDer(signature);
      return nodeVerify(hash, data, key, der);
    }
    return nodeVerify(hash, data, key, signature);
  } catch {
    return false;
  }
}

const b64 = (field: string, text: string): Buffer => {
  if (!/^[A-Za-z0-9+/=\s]+$/.test(text))
    throw new AppError('VALIDATION_FAILED', `${field} must be base64`, { errors: [{ field, message: 'not base64' }] });
  return Buffer.from(text, 'base64');
};

/**
 * Step two: takes the token's signature value (or a whole CMS) and the certificate chain,
 * checks them against the prepared data and the caller's registered certificate, embeds the
 * CMS and stores each signed PDF as the next version. Idempotent: a repeated complete returns
 * the first result; the session row is locked for the whole completion.
 */
export async function completeSigningSession(
  input: CompleteSigningSessionInput,
  ctx: SigningContext,
): Promise<Mutation<SessionResult>> {
  const { identity } = ctx;
  return ctx.runInTransaction(async (tx) => {
    const session = await lockSession(tx, identity.agencyCode, input.sessionId);
    // Another person's session answers exactly like a missing one.
    if (!session || session.userId !== identity.userId)
      throw new AppError('NOT_FOUND', `signing session ${input.sessionId} not found`);
    if (session.status === 'completed') return session.result as SessionResult;
    if (session.status === 'expired' || new Date(session.expiresAt) < ctx.clock()) {
      throw new AppError('UNPROCESSABLE', `the signing session expired at ${session.expiresAt}; prepare a new one`, {
        errors: [{ field: 'sessionId', message: 'expired' }],
      });
    }
    const items = await sessionItems(tx, session.id);
    const byDocument = new Map(input.items.map((i) => [i.documentId, i]));
    for (const i of input.items)
      if (!items.some((x) => x.documentId === i.documentId))
        throw new AppError('VALIDATION_FAILED', `document ${i.documentId} is not in this session`, {
          errors: [{ field: 'items', message: 'unknown document' }],
        });
    const chain = (input.certificateChain ?? []).map((c, n) => {
      try {
        return toCert(b64(`certificateChain.${n}`, c));
      } catch (error) {
        if (error instanceof AppError) throw error;
        throw new AppError('VALIDATION_FAILED', 'certificateChain entries must be base64 DER certificates', {
          errors: [{ field: `certificateChain.${n}`, message: 'not a certificate' }],
        });
      }
    });
    const hash = session.hash as HashName;
    const scheme = session.scheme as SignatureScheme;
    const results: SessionResult['results'] = [];
    const single = items.length === 1;
    for (const item of items) {
      const given = byDocument.get(item.documentId);
      if (!given) {
        results.push({
          documentId: item.documentId,
          outcome: 'failed',
          version: null,
          reason: 'no signature was sent for this document',
        });
        continue;
      }
      try {
        const version = await completeItem(tx, { session, item, given, chain, hash, scheme }, ctx);
        results.push({ documentId: item.documentId, outcome: 'signed', version, reason: null });
      } catch (error) {
        const mapped = toSigningError(error);
        // One document: its problem is the answer. A batch reports per document (ARCHITECTURE.md, Services).
        if (single) throw mapped;
        if (mapped instanceof AppError && mapped.status >= 500) throw mapped;
        results.push({
          documentId: item.documentId,
          outcome: 'failed',
          version: null,
          reason: (mapped as Error).message,
        });
      }
    }
    const result: SessionResult = { sessionId: session.id, status: 'completed', results };
    await finishSession(tx, session.id, 'completed', result);
    const event: SigningSessionCompletedV1 = {
      sessionId: session.id,
      agencyCode: identity.agencyCode,
      userId: identity.userId,
      results,
      completedAt: ctx.clock().toISOString(),
    };
    await enqueueEvent(
      tx,
      signingSessionCompletedV1,
      session.id,
      event,
      eventMeta(ctx, identity.agencyCode),
      ctx.signing.topicPrefix,
    );
    return result;
  });
}

/** One document of the session, checked and embedded. */
type SessionItemWork = {
  session: NonNullable<Awaited<ReturnType<typeof lockSession>>>;
  item: SessionItemRow;
  given: CompleteSigningSessionInput['items'][number];
  chain: Cert[];
  hash: HashName;
  scheme: SignatureScheme;
};

/** A CMS the caller sent whole (tokens that build their own): one that cannot be read is the caller's error. */
function readCms(der: Buffer): ReturnType<typeof parseCms> {
  try {
    return parseCms(der);
  } catch (error) {
    throw new AppError('UNPROCESSABLE', `the CMS cannot be read: ${(error as Error).message}`, {
      cause: error,
      errors: [{ field: 'items.cms', message: 'not a CMS SignedData' }],
    });
  }
}

async function completeItem(tx: Tx, work: SessionItemWork, ctx: SigningContext): Promise<number> {
  const { session, item, given, hash, scheme } = work;
  const deps = ctx.signing;
  let chain = work.chain;
  let certificate: Cert | undefined = chain[0];
  let signedAttributesDer = item.signedAttributes ?? undefined;
  let signatureValue: Buffer;
  if (given.cms) {
    const { signedData, signerInfo } = readCms(b64('cms', given.cms));
    if (!signerInfo.signedAttrsDer) throw new AppError('UNPROCESSABLE', 'the CMS has no signed attributes');
    signedAttributesDer = signerInfo.signedAttrsDer;
    signatureValue = signerInfo.signature;
    const carried = signedData.certificates.flatMap((der) => tryCert(der) ?? []);
    certificate = signerCertificate(signerInfo, carried) ?? certificate;
    chain = [...chain, ...carried];
  } else if (given.signatureValue) {
    signatureValue = b64('signatureValue', given.signatureValue);
  } else {
    throw new AppError('VALIDATION_FAILED', 'each item needs signatureValue or cms', {
      errors: [{ field: 'items.signatureValue', message: 'required' }],
    });
  }
  if (!certificate)
    throw new AppError('VALIDATION_FAILED', 'certificateChain is required: the signer certificate first', {
      errors: [{ field: 'certificateChain', message: 'required' }],
    });
  if (session.certificateSha256 && session.certificateSha256 !== certificate.sha256) {
    throw new AppError('UNPROCESSABLE', 'the certificate is not the one the session was prepared for', {
      errors: [{ field: 'certificateChain.0', message: 'different certificate' }],
    });
  }
  // The appearance prepared for this session names its signer: the certificate must be that person's.
  const printedName = item.options.printedName;
  if (typeof printedName === 'string' && !sameName(commonNameOf(certificate), printedName))
    throw new SignerNameMismatchError(printedName, commonNameOf(certificate), 'certificateChain.0');
  if (!signedAttributesDer)
    throw new AppError('UNPROCESSABLE', 'this session was prepared without a certificate; send the whole CMS');
  // Binding prepare ↔ complete: the signed attributes must carry the prepared document digest.
  const mdValue = parseAttributeSet(signedAttributesDer).find((a) => a.type === OID_MESSAGE_DIGEST)?.values[0]?.content;
  if (!mdValue?.equals(item.documentDigest))
    throw new AppError('UNPROCESSABLE', 'the signed data is not the data prepared for this document', {
      errors: [{ field: 'items', message: 'digest mismatch' }],
    });
  if (!verifyValue(certificate, scheme, hash, signedAttributesDer, signatureValue)) {
    throw new AppError('UNPROCESSABLE', 'the signature value does not match the prepared data and the certificate', {
      errors: [{ field: 'items.signatureValue', message: 'does not verify' }],
    });
  }
  const extra = chain.filter((c) => c !== certificate);
  const { row } = await assertUsableCertificate(
    tx,
    certificate,
    extra,
    session.userId,
    session.agencyCode,
    deps,
    ctx.requestId,
  );
  const original = await deps.documents.getContent(ctx.forward, item.documentId, item.version);
  if (sha256Hex(original) !== (item.options.sha256 as string))
    throw new AppError('CONFLICT', `version ${item.version} of document ${item.documentId} changed since prepare`);
  const reader = PdfReader.fromBuffer(original);
  const prepared: PreparedSignature = { ...item.preparedMeta, update: item.preparedUpdate, fieldName: item.fieldName };
  const appended = await finishRevision(
    reader,
    { prepared, documentDigest: item.documentDigest, hash },
    {
      signedAttributesDer,
      signatureValue,
      certificate,
      chain: extra.filter((c) => !issuerAndSerialOf(c).subject.equals(issuerAndSerialOf(certificate).subject)),
      scheme,
    },
    session.level as PadesLevel,
    deps.pades,
  );
  const signed = Buffer.concat([original, appended]);
  const stored = await deps.documents.addSignedVersion(
    ctx.forward,
    item.documentId,
    item.version,
    signed,
    `signed-v${item.version + 1}.pdf`,
    `session-${session.id}-${item.position}`,
  );
  const [kind = 'approval'] = session.kind.split(':');
  const signature = await insertSignature(tx, {
    id: randomUUID(),
    agencyCode: session.agencyCode,
    documentId: item.documentId,
    kind,
    level: session.level,
    signedVersion: item.version,
    version: stored.currentVersion,
    sha256: sha256Hex(signed),
    fieldName: item.fieldName,
    signerUserId: session.userId,
    certificateSha256: row.sha256,
    certificateSubject: subjectText(certificate),
    authorityPrefix: typeof item.options.authorityPrefix === 'string' ? item.options.authorityPrefix : null,
    keyIdHex: null,
    sessionId: session.id,
    appearance: (item.preparedMeta.appearance as never) ?? null,
  });
  await emitApplied(tx, signature, ctx);
  return stored.currentVersion;
}
