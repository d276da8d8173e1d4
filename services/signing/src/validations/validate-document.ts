import { createHash, randomUUID } from 'node:crypto';
import { AppError, withTransaction } from '@vanthu/platform';
import type { Tx } from '@vanthu/platform';
import { findCachedReport, insertReport, workflowRoles } from '../repositories/validation-reports-repository';
import { pemToDers, tryCert } from '../x509/certificate';
import type { Cert } from '../x509/certificate';
import type { SignatureReport, ValidationReport } from '../validation/report';
import { withExtraAnchors } from '../validation/trust-store';
import type { ValidationOptions } from '../validation/validate-pdf';
import type { ValidationContext, ValidationDeps } from './validation-deps';

export type ValidationRequestFields = { trustAnchors?: string; validationTime?: string; revocation?: string };

const invalid = (field: string, message: string): AppError =>
  new AppError('VALIDATION_FAILED', `${field}: ${message}`, { errors: [{ field, message }] });

/** Request fields to validation options; every malformed field is a 400 naming it. */
export function optionsFor(
  fields: ValidationRequestFields,
  deps: ValidationDeps,
): { options: ValidationOptions; cacheKey: string | null } {
  let extra: Cert[] = [];
  if (fields.trustAnchors !== undefined) {
    const ders = pemToDers(fields.trustAnchors);
    const certs = ders.map(tryCert);
    if (ders.length === 0 || certs.some((c) => !c))
      throw invalid('trustAnchors', 'must be one or more PEM certificates');
    extra = certs as Cert[];
  }
  let validationTime = new Date();
  if (fields.validationTime !== undefined) {
    const t = new Date(fields.validationTime);
    if (
      !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(fields.validationTime) ||
      Number.isNaN(t.getTime())
    )
      throw invalid('validationTime', 'must be an ISO 8601 date-time with a zone, e.g. 2026-01-15T10:00:00+07:00');
    validationTime = t;
  }
  if (fields.revocation !== undefined && fields.revocation !== 'online' && fields.revocation !== 'offline')
    throw invalid('revocation', 'must be online or offline');
  const mode = (fields.revocation as 'online' | 'offline' | undefined) ?? deps.defaults.revocation.mode;
  const options: ValidationOptions = {
    ...deps.defaults,
    revocation: { ...deps.defaults.revocation, mode },
    trust: withExtraAnchors(deps.trust, extra),
    validationTime,
  };
  // Only the default trust store at the present moment is worth reusing for other callers.
  const store = createHash('sha256')
    .update([...deps.trust.anchors, ...deps.trust.intermediates].map((c) => c.sha256).join(','))
    .digest('hex')
    .slice(0, 16);
  const cacheKey =
    extra.length === 0 && fields.validationTime === undefined
      ? `${mode}|${deps.defaults.modificationPolicy}|${deps.defaults.sha1AcceptedUntil?.toISOString() ?? 'no-sha1'}|${store}`
      : null;
  return { options, cacheKey };
}

export function assertPdf(bytes: Buffer): void {
  if (bytes.length === 0) throw invalid('file', 'is empty');
  if (!bytes.subarray(0, 1024).includes('%PDF-'))
    throw new AppError('UNSUPPORTED_MEDIA_TYPE', 'file: only PDF documents can be validated (no %PDF- header)');
}

async function withRoles(tx: Tx, agencyCode: string, report: ValidationReport): Promise<ValidationReport> {
  const keys = report.signatures
    .filter((s) => s.signer && s.chain[0])
    .map((s) => ({ fieldName: s.fieldName, certificateSha256: s.chain[0]?.sha256 ?? '' }));
  const roles = await workflowRoles(tx, agencyCode, keys);
  const signatures = report.signatures.map((s): SignatureReport => ({
    ...s,
    workflowRole: (roles.get(`${s.fieldName}|${s.chain[0]?.sha256 ?? ''}`) as SignatureReport['workflowRole']) ?? null,
  }));
  return { ...report, signatures };
}

export type ValidateBytesInput = { bytes: Buffer; fields: ValidationRequestFields };

/**
 * Validates PDF bytes (isolated worker), reusing a stored report of the same bytes and options
 * when it is fresh, and stores new ones. Our own signatures get their workflow role.
 */
export async function validateBytes(input: ValidateBytesInput, ctx: ValidationContext): Promise<ValidationReport> {
  const { bytes, fields } = input;
  const deps = ctx.validation;
  const agencyCode = ctx.identity.agencyCode;
  const { options, cacheKey } = optionsFor(fields, deps);
  assertPdf(bytes);
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  if (cacheKey && deps.cacheSeconds > 0) {
    const cached = await withTransaction(deps.pool, (tx) => findCachedReport(tx, sha256, cacheKey, deps.cacheSeconds));
    if (cached)
      return withTransaction(deps.pool, (tx) => withRoles(tx, agencyCode, { ...cached.report, reportId: cached.id }));
  }
  const report = await deps.validator.validate(bytes, options);
  const reportId = randomUUID();
  return withTransaction(deps.pool, async (tx) => {
    await insertReport(tx, reportId, cacheKey ?? `custom|${randomUUID()}`, report);
    return withRoles(tx, agencyCode, { ...report, reportId });
  });
}
