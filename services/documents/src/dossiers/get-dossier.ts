import { AppError, withTransaction } from '@vanthu/platform';
import { findDossier, listEntries } from '../repositories/dossiers-repository';
import type { Dossier } from '../schemas/dossier';
import type { DocumentsContext } from '../context';

export type GetDossierInput = { dossierId: string };

/** Another agency's dossier answers 404, exactly like a missing one. */
export async function getDossier(input: GetDossierInput, ctx: DocumentsContext): Promise<Dossier> {
  const { dossierId } = input;
  return withTransaction(ctx.pool, async (tx) => {
    const dossier = await findDossier(tx, ctx.identity.agencyCode, dossierId);
    if (!dossier) throw new AppError('NOT_FOUND', `dossier ${dossierId} not found`);
    return { ...dossier, documents: await listEntries(tx, dossierId) };
  });
}
