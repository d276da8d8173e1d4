import type { Tx } from '@vanthu/platform';
import type { ValidationReport } from '../validation/report';

export type StoredReport = { id: string; report: ValidationReport; validatedAt: Date };

/** The newest report for these bytes and options, when younger than `maxAgeSeconds`. */
export async function findCachedReport(
  tx: Tx,
  sha256: string,
  optionsKey: string,
  maxAgeSeconds: number,
): Promise<StoredReport | undefined> {
  const { rows } = await tx.query<StoredReport>(
    `SELECT id, report, validated_at AS "validatedAt" FROM validation_reports
      WHERE sha256 = $1 AND options_key = $2 AND validated_at > now() - make_interval(secs => $3)
      ORDER BY validated_at DESC LIMIT 1`,
    [sha256, optionsKey, maxAgeSeconds],
  );
  return rows[0];
}

export async function insertReport(tx: Tx, id: string, optionsKey: string, report: ValidationReport): Promise<void> {
  await tx.query(
    `INSERT INTO validation_reports (id, sha256, options_key, verdict, report) VALUES ($1, $2, $3, $4, $5)`,
    [id, report.sha256, optionsKey, report.verdict, JSON.stringify(report)],
  );
}

/** Records that a document version was validated with that report (first one per version wins; later ones update). */
export async function recordDocumentValidation(
  tx: Tx,
  row: {
    agencyCode: string;
    documentId: string;
    version: number;
    sha256: string;
    reportId: string;
    trigger: 'request' | 'incoming';
  },
): Promise<void> {
  await tx.query(
    `INSERT INTO document_validations (agency_code, document_id, version, sha256, report_id, trigger) VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (document_id, version, sha256) DO UPDATE SET report_id = EXCLUDED.report_id, validated_at = now()`,
    [row.agencyCode, row.documentId, row.version, row.sha256, row.reportId, row.trigger],
  );
}

/** Our own workflow role for a signature, when this service applied it (same field, same certificate). */
export async function workflowRoles(
  tx: Tx,
  agencyCode: string,
  keys: { fieldName: string; certificateSha256: string }[],
): Promise<Map<string, string>> {
  if (keys.length === 0) return new Map();
  const { rows } = await tx.query<{ fieldName: string; certificateSha256: string; kind: string }>(
    `SELECT DISTINCT field_name AS "fieldName", certificate_sha256 AS "certificateSha256", kind FROM signatures
      WHERE agency_code = $1 AND field_name = ANY($2::text[]) AND certificate_sha256 = ANY($3::text[])`,
    [agencyCode, keys.map((k) => k.fieldName), keys.map((k) => k.certificateSha256)],
  );
  return new Map(rows.map((r) => [`${r.fieldName}|${r.certificateSha256}`, r.kind]));
}
