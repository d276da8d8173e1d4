import { hasRole } from '@vanthu/platform';
import type { Identity } from '@vanthu/platform';
import type { Organisation } from '../schemas/organisation';

export type RowError = { field: string; message: string };

/**
 * The rows of an import the caller may not write. The directory is shared by every agency of the province (routing
 * prints names from it, signing puts an agency's name in its seal certificate), so an agency's administrator keeps
 * only its own entry: its name, abbreviation, units and people. Every other agency's entry, and the agency's place in
 * the province's tree (parentCode), belong to the province's `directory-admin`, who may import any agency.
 * `storedParents` holds the parent the directory has for each imported code that is already there.
 */
export function rowsOutsideScope(
  organisations: Organisation[],
  identity: Identity,
  storedParents: Map<string, string | null>,
): RowError[] {
  if (hasRole(identity, 'directory-admin')) return [];
  const errors: RowError[] = [];
  organisations.forEach((organisation, i) => {
    if (organisation.code !== identity.agencyCode)
      errors.push({
        field: `organisations[${i}].code`,
        message: `${organisation.code} is another agency's entry; an administrator imports only its own agency (${identity.agencyCode}), a directory-admin any agency`,
      });
    else if (
      organisation.parentCode !== undefined &&
      organisation.parentCode !== (storedParents.get(organisation.code) ?? null)
    )
      errors.push({
        field: `organisations[${i}].parentCode`,
        message: `the agency's place in the province's tree is set by a directory-admin; leave parentCode out or as the directory has it (${storedParents.get(organisation.code) ?? 'null'})`,
      });
  });
  return errors;
}
