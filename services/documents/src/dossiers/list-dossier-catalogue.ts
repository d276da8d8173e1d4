import { withTransaction } from '@vanthu/platform';
import { listDossiers } from '../repositories/dossiers-repository';
import type { DossierSummary } from '../schemas/dossier';
import { vietnamIsoDate } from '../rules/numbering';
import type { DocumentsContext } from '../context';

export type ListDossierCatalogueInput = { year?: number; handoverDueWithinDays?: number };

/**
 * The Danh mục hồ sơ of a year, or (with `handoverDueWithinDays`) the closed dossiers whose
 * hand-over falls due soon: 30 gives the reminder list of Phụ lục VI mục III.5.
 */
export async function listDossierCatalogue(
  input: ListDossierCatalogueInput,
  ctx: DocumentsContext,
): Promise<DossierSummary[]> {
  const filter = input;
  const dueBy =
    filter.handoverDueWithinDays === undefined
      ? undefined
      : vietnamIsoDate(new Date(ctx.clock().getTime() + filter.handoverDueWithinDays * 86_400_000));
  return withTransaction(ctx.pool, (tx) =>
    listDossiers(tx, ctx.identity.agencyCode, {
      ...(filter.year !== undefined ? { year: filter.year } : {}),
      ...(dueBy ? { dueBy } : {}),
    }),
  );
}
