import type { Tx } from '@vanthu/platform';

export type SubmissionPolicyRecord = {
  agencyCode: string;
  senderMustBeUnitLeader: boolean;
  requiredComponents: Record<string, string[]>;
  signedComponents: string[];
  updatedBy: string;
  updatedAt: Date;
};

type PolicyRow = {
  agency_code: string;
  sender_must_be_unit_leader: boolean;
  required_components: Record<string, string[]>;
  signed_components: string[];
  updated_by: string;
  updated_at: Date;
};

const toPolicy = (row: PolicyRow): SubmissionPolicyRecord => ({
  agencyCode: row.agency_code,
  senderMustBeUnitLeader: row.sender_must_be_unit_leader,
  requiredComponents: row.required_components,
  signedComponents: row.signed_components,
  updatedBy: row.updated_by,
  updatedAt: row.updated_at,
});

export async function findSubmissionPolicy(tx: Tx, agencyCode: string): Promise<SubmissionPolicyRecord | undefined> {
  const { rows } = await tx.query<PolicyRow>('SELECT * FROM submission_policies WHERE agency_code = $1', [agencyCode]);
  return rows[0] ? toPolicy(rows[0]) : undefined;
}

export async function upsertSubmissionPolicy(tx: Tx, policy: SubmissionPolicyRecord): Promise<SubmissionPolicyRecord> {
  const { rows } = await tx.query<PolicyRow>(
    `INSERT INTO submission_policies
       (agency_code, sender_must_be_unit_leader, required_components, signed_components, updated_by, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (agency_code) DO UPDATE SET sender_must_be_unit_leader = EXCLUDED.sender_must_be_unit_leader,
       required_components = EXCLUDED.required_components, signed_components = EXCLUDED.signed_components,
       updated_by = EXCLUDED.updated_by, updated_at = EXCLUDED.updated_at
     RETURNING *`,
    [
      policy.agencyCode,
      policy.senderMustBeUnitLeader,
      JSON.stringify(policy.requiredComponents),
      JSON.stringify(policy.signedComponents),
      policy.updatedBy,
      policy.updatedAt,
    ],
  );
  return toPolicy(rows[0] as PolicyRow);
}

export type DocumentSignatureFact = {
  signatureId: string;
  agencyCode: string;
  documentId: string;
  kind: string;
  signerUserId: string | null;
  signedVersion: number;
  version: number;
  authorityPrefix: string | null;
  signedAt: Date;
};

type FactRow = {
  signature_id: string;
  agency_code: string;
  document_id: string;
  kind: string;
  signer_user_id: string | null;
  signed_version: number;
  version: number;
  authority_prefix: string | null;
  signed_at: Date;
};

/** Once per signature: a replayed event changes nothing. */
export async function insertSignatureFact(tx: Tx, fact: DocumentSignatureFact): Promise<void> {
  await tx.query(
    `INSERT INTO document_signature_facts
       (signature_id, agency_code, document_id, kind, signer_user_id, signed_version, version, authority_prefix, signed_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (signature_id) DO NOTHING`,
    [
      fact.signatureId,
      fact.agencyCode,
      fact.documentId,
      fact.kind,
      fact.signerUserId,
      fact.signedVersion,
      fact.version,
      fact.authorityPrefix,
      fact.signedAt,
    ],
  );
}

export async function signatureFactsOf(
  tx: Tx,
  agencyCode: string,
  documentId: string,
): Promise<DocumentSignatureFact[]> {
  const { rows } = await tx.query<FactRow>(
    `SELECT * FROM document_signature_facts WHERE agency_code = $1 AND document_id = $2 ORDER BY version, signature_id`,
    [agencyCode, documentId],
  );
  return rows.map((row) => ({
    signatureId: row.signature_id,
    agencyCode: row.agency_code,
    documentId: row.document_id,
    kind: row.kind,
    signerUserId: row.signer_user_id,
    signedVersion: row.signed_version,
    version: row.version,
    authorityPrefix: row.authority_prefix,
    signedAt: row.signed_at,
  }));
}

export type DocumentValidationFact = {
  agencyCode: string;
  documentId: string;
  version: number;
  verdict: string;
  verdictReason: string;
  validatedAt: Date;
};

type ValidationRow = {
  agency_code: string;
  document_id: string;
  version: number;
  verdict: string;
  verdict_reason: string;
  validated_at: Date;
};

/** The latest verdict of a version wins (a later validation sees revocations the earlier one did not). */
export async function upsertValidationFact(tx: Tx, fact: DocumentValidationFact): Promise<void> {
  await tx.query(
    `INSERT INTO document_validation_facts (agency_code, document_id, version, verdict, verdict_reason, validated_at)
     VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (agency_code, document_id, version) DO UPDATE
       SET verdict = EXCLUDED.verdict, verdict_reason = EXCLUDED.verdict_reason, validated_at = EXCLUDED.validated_at
       WHERE document_validation_facts.validated_at <= EXCLUDED.validated_at`,
    [fact.agencyCode, fact.documentId, fact.version, fact.verdict, fact.verdictReason, fact.validatedAt],
  );
}

export async function validationFactsOf(
  tx: Tx,
  agencyCode: string,
  documentId: string,
): Promise<DocumentValidationFact[]> {
  const { rows } = await tx.query<ValidationRow>(
    `SELECT * FROM document_validation_facts WHERE agency_code = $1 AND document_id = $2 ORDER BY version`,
    [agencyCode, documentId],
  );
  return rows.map((row) => ({
    agencyCode: row.agency_code,
    documentId: row.document_id,
    version: row.version,
    verdict: row.verdict,
    verdictReason: row.verdict_reason,
    validatedAt: row.validated_at,
  }));
}
