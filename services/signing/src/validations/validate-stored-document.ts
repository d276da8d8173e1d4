import { AppError, withTransaction } from '@vanthu/platform';
import { recordDocumentValidation } from '../repositories/validation-reports-repository';
import type { ValidationReport } from '../validation/report';
import { validateBytes } from './validate-document';
import type { ValidationContext } from './validation-deps';

export type StoredDocumentValidation = {
  documentId: string;
  version: number;
  agencyCode: string;
  report: ValidationReport & { reportId: string };
};

export type ValidateStoredDocumentInput = {
  documentId: string;
  /** The current version when absent. */
  version?: number | undefined;
  /** Why it is validated: a caller's request, or an incoming document on receipt. */
  trigger: 'request' | 'incoming';
};

/**
 * Validates a stored version (the current one by default), fetched from documents on behalf of the caller (a
 * user's own identity, or this service's for incoming documents). The SHA-256 documents reports must match what
 * was fetched; the report is recorded for that version.
 */
export async function validateStoredDocument(
  input: ValidateStoredDocumentInput,
  ctx: ValidationContext,
): Promise<StoredDocumentValidation> {
  const { documentId, version: requestedVersion, trigger } = input;
  const deps = ctx.validation;
  const agencyCode = ctx.identity.agencyCode;
  const headers = ctx.headers;
  const info = await deps.documents.getDocument(headers, documentId);
  const version = requestedVersion ?? info.currentVersion;
  const meta = info.versions.find((v) => v.version === version);
  if (!meta) throw new AppError('NOT_FOUND', `document ${documentId} has no version ${version}`);
  const bytes = await deps.documents.getContent(headers, documentId, version);
  const report = await validateBytes(
    { bytes, fields: {} },
    { ...ctx, identity: { ...ctx.identity, agencyCode: info.agencyCode } },
  );
  if (report.sha256 !== meta.sha256)
    throw new AppError(
      'INTEGRITY_FAILURE',
      `version ${version} of document ${documentId} does not match its recorded SHA-256`,
    );
  const reportId = report.reportId as string;
  await withTransaction(deps.pool, (tx) =>
    recordDocumentValidation(tx, {
      agencyCode: info.agencyCode || agencyCode,
      documentId,
      version,
      sha256: report.sha256,
      reportId,
      trigger,
    }),
  );
  return { documentId, version, agencyCode: info.agencyCode || agencyCode, report: { ...report, reportId } };
}
