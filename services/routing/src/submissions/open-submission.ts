import { processCompletedV1, processReturnedV1 } from '@vanthu/contracts';
import { AppError, hasRole } from '@vanthu/platform';
import type { Tx } from '@vanthu/platform';
import type { DocumentSummary } from '../clients/documents-client';
import { updateProcess } from '../repositories/processes-repository';
import type { ProcessKind, ProcessRecord } from '../repositories/processes-repository';
import type { SubmissionComponent } from '../schemas/submission';
import { emit, recordHistory } from '../domain/process-runtime';
import type { RoutingContext } from '../domain/routing-context';
import { loadSubmissionPolicy } from './submission-policy';

type OpenProcess = (
  tx: Tx,
  ctx: RoutingContext,
  input: { kind: ProcessKind; document: DocumentSummary; variables: Record<string, unknown> },
  options?: { returnAtOnce?: (process: ProcessRecord) => Promise<ProcessRecord> },
) => Promise<ProcessRecord>;

/** Every component is a document of the caller's agency (404 otherwise, like the draft itself); no duplicates. */
export async function checkComponents(
  ctx: RoutingContext,
  components: SubmissionComponent[],
  field = 'body.components',
): Promise<SubmissionComponent[]> {
  const seen = new Set<string>();
  for (const [index, component] of components.entries()) {
    if (seen.has(component.documentId))
      throw new AppError('VALIDATION_FAILED', `document ${component.documentId} is listed twice in the dossier`, {
        errors: [{ field: `${field}.${index}.documentId`, message: 'listed twice' }],
      });
    seen.add(component.documentId);
    const document = await ctx.documents.getDocument(ctx.credentials, component.documentId);
    if (document.agencyCode !== ctx.identity.agencyCode)
      throw new AppError('NOT_FOUND', `document ${component.documentId} not found`);
  }
  return components;
}

/**
 * Opens a submission (hồ sơ trình) on a draft. The dossier must be sent from the account of the unit's
 * leader (docs/domain/directives.md, Lục Nam §1: drafts sent from a specialist's account are returned, not
 * examined): where the agency keeps that rule, one started by someone else is recorded and returned at once,
 * with the reason, and opens no task.
 */
export async function openSubmission(
  tx: Tx,
  ctx: RoutingContext,
  document: DocumentSummary,
  components: SubmissionComponent[],
  openProcess: OpenProcess,
): Promise<ProcessRecord> {
  const policy = await loadSubmissionPolicy(tx, ctx.identity.agencyCode);
  const variables = { components, round: 0 };
  if (!policy.senderMustBeUnitLeader || hasRole(ctx.identity, 'unit-leader'))
    return openProcess(tx, ctx, { kind: 'submission', document, variables });
  const reason = `sent from the account of ${ctx.identity.userId}, who is not the unit's leader; a dossier sent up must be sent from the unit leader's account`;
  return openProcess(
    tx,
    ctx,
    { kind: 'submission', document, variables },
    {
      returnAtOnce: async (process) => {
        const now = ctx.clock();
        await recordHistory(tx, ctx, process, {
          action: 'submission-returned',
          actor: 'routing',
          step: 'send',
          detail: { round: 0, reason, findings: [{ code: 'sender-not-unit-leader', sender: ctx.identity.userId }] },
        });
        await emit(tx, ctx, processReturnedV1, process, {
          processId: process.id,
          agencyCode: process.agencyCode,
          fromStep: 'send',
          toStep: 'sender',
          reason,
          returnedBy: 'routing',
          returnedAt: now.toISOString(),
        });
        const ended = await updateProcess(tx, process.id, {
          state: 'completed',
          outcome: 'returned-to-sender',
          completedAt: now,
          variables: { ...process.variables, returnReason: reason },
        });
        await recordHistory(tx, ctx, ended, {
          action: 'process-completed',
          actor: 'routing',
          detail: { outcome: 'returned-to-sender' },
        });
        await emit(tx, ctx, processCompletedV1, ended, {
          processId: ended.id,
          agencyCode: ended.agencyCode,
          kind: ended.kind,
          documentId: ended.documentId,
          outcome: 'returned-to-sender',
          completedAt: now.toISOString(),
        });
        return ended;
      },
    },
  );
}
