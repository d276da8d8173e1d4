import type { DocumentValidatedV1, SignatureAppliedV1 } from '@vanthu/contracts';
import type { Tx } from '@vanthu/platform';
import { insertSignatureFact, upsertValidationFact } from '../repositories/submissions-repository';

// Routing's projection of what signing reports on any document of an agency, so the Office's check of a
// dossier sent up (docs/domain/directives.md, Đà Nẵng §2a) reads routing's own rows, never signing's tables.
// Called inside the consumer's inbox transaction: each event is applied once.

export async function projectSignatureApplied(tx: Tx, event: SignatureAppliedV1): Promise<void> {
  await insertSignatureFact(tx, {
    signatureId: event.signatureId,
    agencyCode: event.agencyCode,
    documentId: event.documentId,
    kind: event.kind,
    signerUserId: event.signerUserId,
    signedVersion: event.signedVersion,
    version: event.version,
    authorityPrefix: event.authorityPrefix,
    signedAt: new Date(event.signedAt),
  });
}

export async function projectDocumentValidated(tx: Tx, event: DocumentValidatedV1): Promise<void> {
  await upsertValidationFact(tx, {
    agencyCode: event.agencyCode,
    documentId: event.documentId,
    version: event.version,
    verdict: event.verdict,
    verdictReason: event.verdictReason,
    validatedAt: new Date(event.validatedAt),
  });
}
