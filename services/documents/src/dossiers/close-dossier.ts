import { AppError, enqueueEvent } from '@vanthu/platform';
import type { Identity, TransactionRunner } from '@vanthu/platform';
import { dossierStateChangedV1 } from '@vanthu/contracts';
import type { DossierStateChangedV1 } from '@vanthu/contracts';
import { closeDossierRow, findDossier, listEntries } from '../repositories/dossiers-repository';
import type { Dossier } from '../schemas/dossier';
import { vietnamIsoDate } from '../rules/numbering';

/** Closes a dossier (kết thúc hồ sơ, NĐ 30/2020 Điều 30); hand-over falls due within one year (Điều 31). */
export async function closeDossier(
  command: { identity: Identity; dossierId: string; requestId: string; now?: Date },
  deps: { runInTransaction: TransactionRunner; topicPrefix: string; source: string },
): Promise<{ dossier: Dossier; replayed: boolean }> {
  const { identity, dossierId } = command;
  const { result, replayed } = await deps.runInTransaction(async (tx) => {
    const dossier = await findDossier(tx, identity.agencyCode, dossierId, true);
    if (!dossier) throw new AppError('NOT_FOUND', `dossier ${dossierId} not found`);
    if (dossier.status !== 'open')
      throw new AppError('CONFLICT', `dossier ${dossier.fileCode} is already ${dossier.status}`);
    const now = command.now ?? new Date();
    await closeDossierRow(tx, dossierId, vietnamIsoDate(now));
    const closed = await findDossier(tx, identity.agencyCode, dossierId);
    if (!closed) throw new Error('dossier vanished inside its own transaction');
    const event: DossierStateChangedV1 = {
      dossierId,
      agencyCode: identity.agencyCode,
      fileCode: closed.fileCode,
      status: 'closed',
      handoverDue: closed.handoverDue,
      changedBy: identity.userId,
      changedAt: now.toISOString(),
    };
    await enqueueEvent(
      tx,
      dossierStateChangedV1,
      dossierId,
      event,
      { source: deps.source, requestId: command.requestId, agencyCode: identity.agencyCode },
      deps.topicPrefix,
    );
    return { ...closed, documents: await listEntries(tx, dossierId) };
  });
  return { dossier: result, replayed };
}
