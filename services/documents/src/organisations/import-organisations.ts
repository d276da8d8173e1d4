import { withTransaction, requireRole } from '@vanthu/platform';
import { upsertOrganisation, upsertPerson, upsertUnit } from '../repositories/organisations-repository';
import type { ImportResult, Organisation } from '../schemas/organisation';
import type { DocumentsContext } from '../context';

export type ImportOrganisationsInput = { organisations: Organisation[] };

/**
 * Loads (or refreshes) organisations with their units and people, all in one transaction: a
 * bad row leaves the directory as it was. The province's whole directory can be loaded at once.
 */
export async function importOrganisations(
  input: ImportOrganisationsInput,
  ctx: DocumentsContext,
): Promise<ImportResult> {
  requireRole(ctx.identity, 'admin');
  const { organisations } = input;
  return withTransaction(ctx.pool, async (tx) => {
    const counts = { organisations: 0, units: 0, people: 0 };
    for (const organisation of organisations) {
      await upsertOrganisation(tx, {
        code: organisation.code,
        name: organisation.name.normalize('NFC'),
        abbreviation: organisation.abbreviation.normalize('NFC'),
        parentCode: organisation.parentCode ?? null,
      });
      counts.organisations += 1;
      for (const unit of organisation.units ?? []) {
        await upsertUnit(tx, organisation.code, {
          code: unit.code,
          name: unit.name.normalize('NFC'),
          abbreviation: unit.abbreviation.normalize('NFC'),
        });
        counts.units += 1;
      }
      for (const person of organisation.people ?? []) {
        await upsertPerson(tx, organisation.code, {
          userId: person.userId,
          fullName: person.fullName.normalize('NFC'),
          position: person.position?.normalize('NFC') ?? null,
          unitCode: person.unitCode ?? null,
        });
        counts.people += 1;
      }
    }
    return counts;
  });
}
