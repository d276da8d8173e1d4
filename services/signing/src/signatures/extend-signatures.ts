import { AppError, requireRole } from '@vanthu/platform';
import type { Mutation } from '@vanthu/platform';
import { signatureDictionaries } from '@vanthu/pdf';
import { extendSignedPdf } from '../pades/pades-engine';
import { timestampCertificates } from '../pades/timestamp-client';
import { OID_SIGNATURE_TIME_STAMP_TOKEN, parseCms, signerCertificate } from '../pades/cms';
import { verifyPdfSignatures } from '../pades/verify-signatures';
import { mapSigningErrors } from './map-signing-errors';
import { readPdfForSigning } from './read-pdf';
import type { SigningContext } from '../context';
import { sha256Hex } from './signing-deps';
import type { Cert } from '../x509/certificate';
import { tryCert } from '../x509/certificate';

export type ExtendSignaturesInput = { documentId: string; level: 'B-LT' | 'B-LTA' };

export type ExtendResult = {
  documentId: string;
  level: 'B-LT' | 'B-LTA';
  signedVersion: number;
  version: number;
  sha256: string;
  signatures: number;
};

/**
 * Adds long-term validation material (B-LT) and optionally a document time-stamp (B-LTA) to a
 * document whose signatures were made elsewhere or at a lower level, as the next version.
 */
export async function extendSignatures(
  input: ExtendSignaturesInput,
  ctx: SigningContext,
): Promise<Mutation<ExtendResult>> {
  const { documentId, level } = input;
  const deps = ctx.signing;
  requireRole(ctx.identity, 'clerk', 'admin');
  // Signing stores nothing of its own here; the transaction carries the Idempotency-Key, so a repeat replays
  // instead of adding another version.
  return mapSigningErrors(() =>
    ctx.runInTransaction(async () => {
      const document = await deps.documents.getDocument(ctx.forward, documentId);
      const version = document.currentVersion;
      const pdf = await deps.documents.getContent(ctx.forward, documentId, version);
      const reader = readPdfForSigning(pdf);
      const verified = verifyPdfSignatures(reader);
      const invalid = verified.filter((s) => !s.valid);
      if (verified.length === 0) throw new AppError('UNPROCESSABLE', 'the document has no signature to extend');
      if (invalid.length)
        throw new AppError(
          'UNPROCESSABLE',
          `signature ${invalid[0]?.fieldName} does not verify (${invalid[0]?.reason}); it cannot be extended`,
        );
      const items: { contents: Buffer; chain: Cert[] }[] = [];
      for (const { contents, value } of signatureDictionaries(reader)) {
        if (String(value.get('SubFilter')) === '/ETSI.RFC3161') continue;
        const { signedData, signerInfo } = parseCms(contents);
        const certs = signedData.certificates.flatMap((der) => tryCert(der) ?? []);
        const leaf = signerCertificate(signerInfo, certs);
        if (!leaf) continue;
        items.push({ contents, chain: [leaf, ...certs.filter((c) => c !== leaf)] });
        const token = signerInfo.unsignedAttrs?.find((a) => a.type === OID_SIGNATURE_TIME_STAMP_TOKEN)?.values[0]?.der;
        if (token) {
          const tsa = timestampCertificates(token);
          if (tsa[0]) items.push({ contents: token, chain: tsa });
        }
      }
      const appended = await extendSignedPdf(reader, items, level, deps.pades, deps.hash);
      const extended = Buffer.concat([pdf, appended]);
      const stored = await deps.documents.addSignedVersion(
        ctx.forward,
        documentId,
        version,
        extended,
        `extended-v${version + 1}.pdf`,
      );
      return {
        documentId,
        level,
        signedVersion: version,
        version: stored.currentVersion,
        sha256: sha256Hex(extended),
        signatures: items.length,
      };
    }),
  );
}
