import { AppError } from '@vanthu/platform';
import type { Tx } from '@vanthu/platform';
import type { DocumentSummary } from '../clients/documents-client';
import type { ProcessRecord } from '../repositories/processes-repository';
import { signaturesOfProcess } from '../repositories/signatures-repository';
import { signatureFactsOf, validationFactsOf } from '../repositories/submissions-repository';
import type { DocumentValidationFact } from '../repositories/submissions-repository';
import type { SubmissionComponent, SubmissionPolicy } from '../schemas/submission';
import type { RoutingContext } from '../domain/routing-context';
import { contentVersionOf } from '../domain/start-process';

/** What the Office found wrong with a dossier sent up; an empty list means it may be presented. */
export type DossierFinding = {
  code: 'missing-component' | 'component-not-found' | 'unsigned' | 'invalid-signature' | 'content-initial-missing';
  component: string;
  documentId?: string;
  message: string;
};

export const contentInitialStep = 'content-initial';

export function componentsOf(process: ProcessRecord): SubmissionComponent[] {
  const raw = process.variables.components;
  return Array.isArray(raw) ? (raw as SubmissionComponent[]) : [];
}

/** A verdict on a version at or after `version` that is not a pass makes the signatures there invalid. */
function failedValidation(validations: DocumentValidationFact[], version: number): DocumentValidationFact | undefined {
  const latest = validations.filter((v) => v.version >= version).at(-1);
  return latest && latest.verdict !== 'TOTAL_PASSED' ? latest : undefined;
}

/**
 * The Office's check of a dossier sent up (docs/domain/directives.md, Đà Nẵng §2a): the components the draft's
 * document type needs are there, the sending unit's leader placed the content initial on the current content
 * of the draft (Đà Nẵng §1d, same file), and every component that must be signed carries a signature on its
 * current content that signing has not found invalid. Signatures and verdicts come from routing's own projection of
 * signing's events.
 */
export async function checkDossier(
  tx: Tx,
  ctx: RoutingContext,
  process: ProcessRecord,
  policy: SubmissionPolicy,
): Promise<DossierFinding[]> {
  const findings: DossierFinding[] = [];
  const draft = await ctx.documents.getDocument(ctx.credentials, process.documentId);
  const typeCode = typeof draft.typeCode === 'string' ? draft.typeCode : undefined;
  const required = (typeCode ? policy.requiredComponents[typeCode] : undefined) ?? policy.requiredComponents['*'] ?? [];
  const components = componentsOf(process);
  for (const name of required)
    if (!components.some((c) => c.component === name))
      findings.push({
        code: 'missing-component',
        component: name,
        message: `the dossier has no ${name}${typeCode ? ` (required for a ${typeCode})` : ''}`,
      });

  const initials = (await signaturesOfProcess(tx, process.id)).filter(
    (s) =>
      s.step === contentInitialStep &&
      s.contentVersion === process.contentVersion &&
      s.signerUserId === process.startedBy,
  );
  const initial = initials.at(-1);
  if (!initial)
    findings.push({
      code: 'content-initial-missing',
      component: 'draft',
      documentId: process.documentId,
      message: `the draft's content (version ${process.contentVersion}) carries no initial of the sender ${process.startedBy}`,
    });
  else {
    const failed = failedValidation(
      await validationFactsOf(tx, process.agencyCode, process.documentId),
      initial.version,
    );
    if (failed)
      findings.push({
        code: 'invalid-signature',
        component: 'draft',
        documentId: process.documentId,
        message: `the draft's signatures failed validation on version ${failed.version}: ${failed.verdictReason}`,
      });
  }

  for (const component of components.filter((c) => policy.signedComponents.includes(c.component))) {
    let document: DocumentSummary;
    try {
      document = await ctx.documents.getDocument(ctx.credentials, component.documentId);
    } catch (error) {
      if (!(error instanceof AppError) || error.code !== 'NOT_FOUND') throw error;
      findings.push({
        code: 'component-not-found',
        component: component.component,
        documentId: component.documentId,
        message: `the ${component.component} ${component.documentId} is not a document of this agency`,
      });
      continue;
    }
    const content = contentVersionOf(document);
    const signed = (await signatureFactsOf(tx, process.agencyCode, component.documentId)).filter(
      (f) =>
        f.signedVersion >= content &&
        f.kind !== 'copy' &&
        f.kind !== 'digitisation' &&
        f.kind !== 'consultation-answer',
    );
    if (signed.length === 0) {
      findings.push({
        code: 'unsigned',
        component: component.component,
        documentId: component.documentId,
        message: `the ${component.component} carries no signature on its current content (version ${content})`,
      });
      continue;
    }
    const newest = Math.max(...signed.map((f) => f.version));
    const failed = failedValidation(await validationFactsOf(tx, process.agencyCode, component.documentId), newest);
    if (failed)
      findings.push({
        code: 'invalid-signature',
        component: component.component,
        documentId: component.documentId,
        message: `the signatures of the ${component.component} failed validation on version ${failed.version}: ${failed.verdictReason}`,
      });
  }
  return findings;
}
