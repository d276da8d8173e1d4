import type { SignatureAppliedV1 } from '@vanthu/contracts';
import type { Mutation } from '@vanthu/platform';
import { definitionOfProcess } from './definition-cache';
import { lockActiveProcessesOfDocument, updateProcess } from '../repositories/processes-repository';
import { insertSignature } from '../repositories/signatures-repository';
import { openTasksOfProcess } from '../repositories/tasks-repository';
import { finishTask, recordHistory } from './process-runtime';
import type { RoutingContext } from './routing-context';

export type ApplySignatureInput = { event: SignatureAppliedV1; eventId: string };
export type SignatureOutcome = { processId: string; taskId: string | null; accepted: boolean; reason?: string };

/**
 * Signing reported a signature (event `signature.applied`, consumed once through the inbox). It
 * completes the open signature step of a process on that document only when it is of the step's
 * kind, by the task's assignee (an organisation seal names no person: the agency's own seal on its
 * clerk's step), and on the version the task concerns or a later one that only added signatures (signing always
 * signs a document's current version; an upload after the task opened makes earlier versions stale). Anything else is recorded and ignored.
 */
export async function applySignature(
  input: ApplySignatureInput,
  ctx: RoutingContext,
): Promise<Mutation<SignatureOutcome[]>> {
  const { event } = input;
  return ctx.runInTransaction(async (tx) => {
    const outcomes: SignatureOutcome[] = [];
    for (const found of await lockActiveProcessesOfDocument(tx, event.agencyCode, event.documentId)) {
      const process = await updateProcess(tx, found.id, {
        documentVersion: Math.max(found.documentVersion, event.version),
      });
      const task = (await openTasksOfProcess(tx, process.id)).find((t) => t.signatureKind === event.kind);
      const reference = {
        signatureId: event.signatureId,
        kind: event.kind,
        signerUserId: event.signerUserId,
        signedVersion: event.signedVersion,
        version: event.version,
        certificateSha256: event.certificateSha256,
        authorityPrefix: event.authorityPrefix,
        eventId: input.eventId,
      };
      let reason: string | undefined;
      if (!task) reason = `no open step awaits a ${event.kind} signature`;
      else if (event.kind !== 'issue' && task.assigneeUserId === null)
        reason = `step ${task.step} is not claimed; only its assignee's signature completes it`;
      else if (event.kind !== 'issue' && event.signerUserId !== task.assigneeUserId)
        reason = `signed by ${event.signerUserId ?? 'an organisation seal'}, but step ${task.step} is assigned to ${task.assigneeUserId}`;
      else if (event.kind === 'issue' && event.signerUserId !== null)
        reason = `an issue signature must be the organisation seal, not a personal signature`;
      else if (task.authority?.prefix && event.authorityPrefix !== task.authority.prefix)
        // NĐ 30/2020 Điều 13: a signature for someone else carries the prefix it was given under
        reason = `signed with prefix ${event.authorityPrefix ?? 'none'}, but step ${task.step} is signed ${task.authority.prefix}${task.authority.onBehalfOf ? ` on behalf of ${task.authority.onBehalfOf}` : ''}`;
      else if (event.signedVersion < task.documentVersion)
        reason = `signature is on version ${event.signedVersion}, older than version ${task.documentVersion} that step ${task.step} concerns`;
      if (!task || reason) {
        await recordHistory(tx, ctx, process, {
          action: 'signature-ignored',
          actor: event.signerUserId ?? 'signing',
          taskId: task?.id ?? null,
          step: task?.step ?? null,
          detail: { ...reference, reason },
        });
        outcomes.push({ processId: process.id, taskId: task?.id ?? null, accepted: false, reason: reason as string });
        continue;
      }
      await insertSignature(tx, {
        signatureId: event.signatureId,
        processId: process.id,
        taskId: task.id,
        step: task.step,
        kind: event.kind,
        signerUserId: event.signerUserId,
        signedVersion: event.signedVersion,
        contentVersion: process.contentVersion,
        version: event.version,
        authorityPrefix: event.authorityPrefix,
        signedAt: new Date(event.signedAt),
      });
      await recordHistory(tx, ctx, process, {
        action: 'signature-accepted',
        actor: event.signerUserId ?? 'signing',
        taskId: task.id,
        step: task.step,
        detail: reference,
      });
      const stored = await definitionOfProcess(tx, process.agencyCode, process.definitionId);
      if (!stored) throw new Error(`definition ${process.definitionId} of process ${process.id} is missing`);
      await finishTask(tx, ctx, process, stored.definition, task, {
        by: event.signerUserId ?? task.assigneeUserId ?? 'signing',
        signatureId: event.signatureId,
        ...(event.kind === 'approval' ? { authorityPrefix: event.authorityPrefix } : {}),
      });
      outcomes.push({ processId: process.id, taskId: task.id, accepted: true });
    }
    return outcomes;
  });
}
