import type { DocumentVersionAddedV1 } from '@vanthu/contracts';
import type { Mutation } from '@vanthu/platform';
import { lockActiveProcessesOfDocument, updateProcess } from '../repositories/processes-repository';
import { signaturesOfProcess } from '../repositories/signatures-repository';
import { moveOpenTasksToVersion } from '../repositories/tasks-repository';
import { recordHistory } from './process-runtime';
import type { RoutingContext } from './routing-context';

export type RecordDocumentVersionInput = { event: DocumentVersionAddedV1; eventId: string };

/**
 * Documents stored a new version (event `document.version.added`). An uploaded revision is new
 * content: open steps now concern it, and initials placed on the old content stop counting, so the
 * steps that rely on them ask for them again.
 */
export async function recordDocumentVersion(
  input: RecordDocumentVersionInput,
  ctx: RoutingContext,
): Promise<Mutation<number>> {
  const { event } = input;
  return ctx.runInTransaction(async (tx) => {
    const processes = await lockActiveProcessesOfDocument(tx, event.agencyCode, event.documentId);
    for (const process of processes) {
      const newContent = event.kind !== 'signature' && event.version > process.contentVersion;
      const updated = await updateProcess(tx, process.id, {
        documentVersion: Math.max(process.documentVersion, event.version),
        contentVersion: newContent ? event.version : process.contentVersion,
      });
      if (!newContent) continue;
      await moveOpenTasksToVersion(tx, process.id, event.version);
      const invalidated = (await signaturesOfProcess(tx, process.id))
        .filter((s) => s.contentVersion < event.version)
        .map((s) => ({ signatureId: s.signatureId, step: s.step, kind: s.kind }));
      await recordHistory(tx, ctx, updated, {
        action: 'version-added',
        actor: event.createdBy,
        detail: { version: event.version, kind: event.kind, sha256: event.sha256, invalidated, eventId: input.eventId },
      });
    }
    return processes.length;
  });
}
