import { AppError, withTransaction } from '@vanthu/platform';
import { findOrganisation } from '../repositories/organisations-repository';
import type { Organisation } from '../schemas/organisation';
import type { DocumentsContext } from '../context';

export type GetOrganisationInput = { code: string };

/** A directory entry by its mã định danh (any agency's: the directory is shared). */
export async function getOrganisation(input: GetOrganisationInput, ctx: DocumentsContext): Promise<Organisation> {
  const organisation = await withTransaction(ctx.pool, (tx) => findOrganisation(tx, input.code));
  if (!organisation) throw new AppError('NOT_FOUND', `organisation ${input.code} not found`);
  return organisation;
}
