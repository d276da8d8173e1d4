import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { AppError, requireRole, withTransaction } from '@vanthu/platform';
import { algorithms, computeEnvelopedSignature } from '@vanthu/xmldsig';
import type { Canonicalization } from '@vanthu/xmldsig';
import type { SigningContext } from '../context';
import { mapSigningErrors } from './map-signing-errors';
import { resolveSeal } from '../signing-keys/resolve-seal';
import { readEdxmlToSign, refuse } from './edxml-claims';
import type { Claims } from './edxml-claims';

export type SignEdxmlInput = {
  documentId?: string;
  /** The message as it will be sent, in a file the caller owns (the upload spooled to disk). */
  edxml: { file: string; sha256: string; sizeBytes: number };
  canonicalization?: Canonicalization;
};
export type SignEdxmlResult = {
  /**
   * The `<Signature>` element, to be placed right after `</edXML:TraceHeaderList>` of the very bytes sent
   * (after `</edXML:MessageHeader>` for a status message, which has no TraceHeaderList).
   */
  signatureXml: string;
  /** What was signed: an edXML document (new, update, replacement), a recall, or a status message. */
  kind: 'document' | 'recall' | 'status';
  signatureAlgorithm: string;
  canonicalization: string;
  certificateSha256: string;
};

/**
 * The organisation's enveloped XML-DSig over an edXML message (QCVN 102:2016 edXMLHeader.Signature;
 * docs/domain/edxml-facts.md "Signature"), with the agency's seal key in the HSM: RSA-SHA256, one
 * Reference URI="" with the enveloped-signature transform, X509Data with the chain.
 *
 * The key must not sign whatever it is handed, so the message is read and checked first. It is always
 * from the caller's agency, and then, by what it is:
 * - a document (new, update, replacement): its DocumentId is the mã định danh of a document of that
 *   agency that was issued (read from documents in the caller's name), and every attachment it carries is
 *   a stored version of that document;
 * - a recall (BussinessDocType 1): the same document, recalled by its agency, and no attachment;
 * - a status message: only its fields (no trace, body or attachment), a known StatusCode, addressed to
 *   another agency, asked by a service: statuses follow events and are never typed by a person (issue 13).
 * Only then is its canonical SignedInfo signed. The message is read from its file as a stream (edxml-claims.ts):
 * the attachments' hashes and the reference digest are computed as it passes, so its size does not weigh on memory.
 */
export async function signEdxml(input: SignEdxmlInput, ctx: SigningContext): Promise<SignEdxmlResult> {
  requireRole(ctx.identity, 'clerk', 'service');
  const workDir = await fsp.mkdtemp(path.join(os.tmpdir(), 'edxml-sign-'));
  try {
    return await signRead(input, workDir, ctx);
  } finally {
    await fsp.rm(workDir, { recursive: true, force: true });
  }
}

async function signRead(input: SignEdxmlInput, workDir: string, ctx: SigningContext): Promise<SignEdxmlResult> {
  const deps = ctx.signing;
  const agencyCode = ctx.identity.agencyCode;
  const { skeleton, claims, referenceDigest } = readEdxmlToSign(input.edxml.file, workDir);
  if (claims.kind === 'status') requireRole(ctx.identity, 'service');
  const seal = await withTransaction(deps.pool, (tx) => resolveSeal(tx, agencyCode, deps, ctx.clock()));
  if (!seal) throw new AppError('UNPROCESSABLE', `agency ${agencyCode} has no active organisation seal key`);
  if (seal.scheme !== 'rsa-pkcs1') {
    throw new AppError('UNPROCESSABLE', `edXML is signed with RSA-SHA256; the seal of ${agencyCode} is ${seal.scheme}`);
  }
  if (claims.fromOrganId !== agencyCode) refuse(`From.OrganId ${claims.fromOrganId || '(none)'} is not ${agencyCode}`);
  if (claims.kind === 'status' && (!claims.responseForOrganId || claims.responseForOrganId === agencyCode)) {
    refuse('a status message answers another agency (ResponseFor.OrganId)');
  }
  return mapSigningErrors(async () => {
    if (claims.kind !== 'status') await checkCarriedDocument(input, claims, agencyCode, ctx);
    const canonicalization = input.canonicalization ?? 'exclusive';
    const signatureXml = await computeEnvelopedSignature(
      skeleton,
      {
        certificates: [seal.certificate, ...seal.chain].map((c) => c.der),
        sign: (data) => deps.hsm.sign(seal.keyIdHex, 'rsa-pkcs1', 'sha256', data),
      },
      {
        afterLocalName: claims.kind === 'status' ? 'MessageHeader' : 'TraceHeaderList',
        canonicalization,
        referenceDigest,
      },
    );
    ctx.logger.info(
      {
        kind: claims.kind,
        documentId: input.documentId,
        edxmlDocumentId: claims.documentId,
        sha256: input.edxml.sha256,
        sizeBytes: input.edxml.sizeBytes,
      },
      'edXML signed with the organisation seal',
    );
    return {
      signatureXml,
      kind: claims.kind,
      signatureAlgorithm: algorithms.rsaSha256,
      canonicalization: algorithms[canonicalization],
      certificateSha256: seal.certificate.sha256,
    };
  });
}

/** The document a document or recall message carries: the caller's, issued (recalled for a recall), with its mã định danh. */
async function checkCarriedDocument(
  input: SignEdxmlInput,
  claims: Claims,
  agencyCode: string,
  ctx: SigningContext,
): Promise<void> {
  if (!input.documentId) {
    throw new AppError('VALIDATION_FAILED', 'documentId is required for an edXML document or recall', {
      errors: [{ field: 'body.documentId', message: 'required unless the message is a status message' }],
    });
  }
  const document = await ctx.signing.documents.getDocument(ctx.forward, input.documentId);
  const registration = (document.registration ?? {}) as { documentIdentifier?: unknown };
  if (document.agencyCode !== agencyCode) throw new AppError('NOT_FOUND', `document ${input.documentId} not found`);
  const expected = claims.kind === 'recall' ? 'recalled' : 'issued';
  if (document.status !== expected) {
    refuse(`document ${input.documentId} is ${String(document.status)}, not ${expected}`);
  }
  if (registration.documentIdentifier !== claims.documentId) {
    refuse(`DocumentId ${claims.documentId || '(none)'} is not the mã định danh of document ${input.documentId}`);
  }
  if (claims.kind === 'recall') {
    if (claims.attachmentSha256.length > 0) refuse('a recall carries no attachment');
    return;
  }
  const versions = new Set(document.versions.map((v) => v.sha256));
  if (claims.attachmentSha256.length === 0) refuse('the message carries no attachment');
  if (claims.attachmentSha256.some((sha) => !versions.has(sha))) {
    refuse(`an attachment is not a stored version of document ${input.documentId}`);
  }
}
