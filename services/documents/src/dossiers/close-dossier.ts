import { AppError, enqueueEvent } from '@vanthu/platform';
import type { Mutation } from '@vanthu/platform';
import type { DocumentsContext } from '../context';
import { documentEventMeta } from '../documents/document-events';
import { dossierStateChangedV1 } from '@vanthu/contracts';
import type { DossierStateChangedV1 } from '@vanthu/contracts';
import { closeDossierRow, findDossier, listEntries } from '../repositories/dossiers-repository';
import type { Dossier } from '../schemas/dossier';
import { vietnamIsoDate } from '../rules/numbering';

/** Closes a dossier (kết thúc hồ sơ, NĐ 30/2020 Điều 30); hand-over falls due within one year (Điều 31). */
export type CloseDossierInput = { dossierId: string };

export async function closeDossier(input: CloseDossierInput, ctx: DocumentsContext): Promise<Mutation<Dossier>> {
  const { identity } = ctx;
  const { dossierId } = input;
  return ctx.runInTransaction(async (tx) => {
    const dossier = await findDossier(tx, identity.agencyCode, dossierId, true);
    if (!dossier) throw new AppError('NOT_FOUND', `dossier ${dossierId} not found`);
    if (dossier.status !== 'open')
      throw new AppError('CONFLICT', `dossier ${dossier.fileCode} is already ${dossier.status}`);
    const now = ctx.clock();
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
    await enqueueEvent(tx, dossierStateChangedV1, dossierId, event, documentEventMeta(ctx), ctx.topicPrefix);
    return { ...closed, documents: await listEntries(tx, dossierId) };
  });
}
