import { randomUUID } from 'node:crypto';
import { AppError, requireRole } from '@vanthu/platform';
import type { Mutation, Tx } from '@vanthu/platform';
import type { DocumentSummary } from '../clients/documents-client';
import { insertProcess, lockActiveProcessesOfDocument } from '../repositories/processes-repository';
import type { ProcessKind, ProcessRecord } from '../repositories/processes-repository';
import { signaturesOfProcess } from '../repositories/signatures-repository';
import { tasksOfProcess } from '../repositories/tasks-repository';
import type { ProcessView } from '../schemas/routing';
import type { SubmissionComponent } from '../schemas/submission';
import { checkComponents, openSubmission } from '../submissions/open-submission';
import { announceStart, startTokensOf } from './process-runtime';
import { resolveDefinition } from './resolve-definition';
import type { RoutingContext } from './routing-context';
import { processView } from './views';

export type StartProcessInput = {
  kind: ProcessKind;
  documentId: string;
  variables?: Record<string, unknown>;
  /** A submission's dossier besides the draft: the tờ trình and the attachments. */
  components?: SubmissionComponent[];
  /** Set by delivery and exchange, which already hold the document's state. */
  document?: DocumentSummary;
};

/** The latest version whose content was uploaded, not a signature added on top of it. */
export function contentVersionOf(document: DocumentSummary): number {
  const content = document.versions.filter((v) => v.kind !== 'signature').map((v) => v.version);
  return content.length > 0 ? Math.max(...content) : document.currentVersion;
}

/**
 * Starts a process on a document of the caller's agency, on the agency's current definition of the
 * kind (NĐ 30/2020 Điều 10 for outgoing drafts, Điều 20 for incoming documents). The view with its first tasks is
 * built in the same transaction, so it is what an Idempotency-Key stores and a repeat returns.
 */
export async function startProcess(input: StartProcessInput, ctx: RoutingContext): Promise<Mutation<ProcessView>> {
  if (input.kind === 'incoming') requireRole(ctx.identity, 'clerk', 'service');
  else requireRole(ctx.identity, 'specialist', 'unit-leader', 'service');
  if (input.kind !== 'submission' && input.components !== undefined)
    throw new AppError('VALIDATION_FAILED', `an ${input.kind} process takes no components`, {
      errors: [{ field: 'body.components', message: 'only for a submission' }],
    });
  const document = input.document ?? (await ctx.documents.getDocument(ctx.credentials, input.documentId));
  if (document.agencyCode !== ctx.identity.agencyCode)
    throw new AppError('NOT_FOUND', `document ${input.documentId} not found`);
  const expectedDirection = input.kind === 'incoming' ? 'incoming' : 'outgoing';
  if (document.direction !== expectedDirection) {
    throw new AppError(
      'UNPROCESSABLE',
      `document ${document.id} is ${document.direction}; an ${input.kind} process needs an ${expectedDirection} document`,
    );
  }
  const components = input.kind === 'submission' ? await checkComponents(ctx, input.components ?? []) : [];
  return ctx.runInTransaction(async (tx) => {
    const running = await lockActiveProcessesOfDocument(tx, ctx.identity.agencyCode, document.id);
    const same = running.find((p) => p.kind === input.kind);
    if (same)
      throw new AppError('CONFLICT', `document ${document.id} already has an active ${input.kind} process ${same.id}`);
    const process =
      input.kind === 'submission'
        ? await openSubmission(tx, ctx, document, components, openProcess)
        : await openProcess(tx, ctx, { kind: input.kind, document, variables: input.variables ?? {} });
    return processView(
      process,
      await tasksOfProcess(tx, process.id),
      await signaturesOfProcess(tx, process.id),
      ctx.clock(),
    );
  });
}

/** Inserts a process of the caller's agency on its current definition of the kind and opens its first steps. */
export async function openProcess(
  tx: Tx,
  ctx: RoutingContext,
  input: { kind: ProcessKind; document: DocumentSummary; variables: Record<string, unknown> },
  options: { returnAtOnce?: (process: ProcessRecord) => Promise<ProcessRecord> } = {},
): Promise<ProcessRecord> {
  const { document } = input;
  const stored = await resolveDefinition(tx, ctx.identity.agencyCode, input.kind);
  const process = await insertProcess(tx, {
    id: randomUUID(),
    agencyCode: ctx.identity.agencyCode,
    kind: input.kind,
    definitionId: stored.id,
    definitionVersion: stored.version,
    documentId: document.id,
    urgency: document.urgency ?? null,
    variables: input.variables,
    documentVersion: document.currentVersion,
    contentVersion: contentVersionOf(document),
    startedBy: ctx.identity.userId,
    startedUnit: ctx.identity.unitCode ?? null,
    startedAt: ctx.clock(),
    dueAt: null,
  });
  if (options.returnAtOnce) {
    await announceStart(tx, ctx, process);
    return options.returnAtOnce(process);
  }
  return startTokensOf(tx, ctx, process, stored.definition);
}
