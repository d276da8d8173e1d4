import type { Tx } from '@vanthu/platform';

export async function recordSignatureApplied(
  tx: Tx,
  fact: {
    signatureId: string;
    documentId: string;
    agencyCode: string;
    kind: string;
    level: string;
    signedVersion: number;
    version: number;
    signerUserId: string | null;
    certificateSha256: string;
    certificateSubject: string;
    authorityPrefix: string | null;
    signedAt: string;
  },
): Promise<void> {
  await tx.query(
    `INSERT INTO signature_facts (signature_id, document_id, agency_code, kind, level, signed_version, version,
                                  signer_user_id, certificate_sha256, certificate_subject, authority_prefix, signed_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
     ON CONFLICT (signature_id) DO NOTHING`,
    [
      fact.signatureId,
      fact.documentId,
      fact.agencyCode,
      fact.kind,
      fact.level,
      fact.signedVersion,
      fact.version,
      fact.signerUserId,
      fact.certificateSha256,
      fact.certificateSubject,
      fact.authorityPrefix,
      fact.signedAt,
    ],
  );
}

export async function recordDocumentValidation(
  tx: Tx,
  fact: {
    documentId: string;
    version: number;
    agencyCode: string;
    verdict: string;
    signaturesTotal: number;
    signaturesPassed: number;
    reportId: string;
    validatedAt: string;
  },
): Promise<void> {
  // The latest validation of a version wins, whichever order the events are read in.
  await tx.query(
    `INSERT INTO validation_facts (document_id, version, agency_code, verdict, signatures_total, signatures_passed,
                                   report_id, validated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
     ON CONFLICT (document_id, version) DO UPDATE SET
       verdict = EXCLUDED.verdict, signatures_total = EXCLUDED.signatures_total,
       signatures_passed = EXCLUDED.signatures_passed, report_id = EXCLUDED.report_id,
       validated_at = EXCLUDED.validated_at
     WHERE (EXCLUDED.validated_at, EXCLUDED.report_id) > (validation_facts.validated_at, validation_facts.report_id)`,
    [
      fact.documentId,
      fact.version,
      fact.agencyCode,
      fact.verdict,
      fact.signaturesTotal,
      fact.signaturesPassed,
      fact.reportId,
      fact.validatedAt,
    ],
  );
}
