import { AppError, withTransaction } from '@vanthu/platform';
import type { Identity, Pool } from '@vanthu/platform';
import { findDossier, listDossiers, listEntries } from '../repositories/dossiers-repository';
import type { Dossier, DossierSummary } from '../schemas/dossier';
import { vietnamIsoDate } from '../rules/numbering';

/** Another agency's dossier answers 404, exactly like a missing one. */
export async function getDossier(identity: Identity, id: string, deps: { pool: Pool }): Promise<Dossier> {
  return withTransaction(deps.pool, async (tx) => {
    const dossier = await findDossier(tx, identity.agencyCode, id);
    if (!dossier) throw new AppError('NOT_FOUND', `dossier ${id} not found`);
    return { ...dossier, documents: await listEntries(tx, id) };
  });
}

/**
 * The Danh mục hồ sơ of a year, or (with `handoverDueWithinDays`) the closed dossiers whose
 * hand-over falls due soon: 30 gives the reminder list of Phụ lục VI mục III.5.
 */
export async function listDossierCatalogue(
  identity: Identity,
  filter: { year?: number; handoverDueWithinDays?: number },
  deps: { pool: Pool; now?: Date },
): Promise<DossierSummary[]> {
  const dueBy =
    filter.handoverDueWithinDays === undefined
      ? undefined
      : vietnamIsoDate(new Date((deps.now ?? new Date()).getTime() + filter.handoverDueWithinDays * 86_400_000));
  return withTransaction(deps.pool, (tx) =>
    listDossiers(tx, identity.agencyCode, {
      ...(filter.year !== undefined ? { year: filter.year } : {}),
      ...(dueBy ? { dueBy } : {}),
    }),
  );
}
