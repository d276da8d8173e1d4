import { AppError, withTransaction, requireRole } from '@vanthu/platform';
import {
  listParentCodes,
  listUnitCodes,
  upsertOrganisation,
  upsertPerson,
  upsertUnit,
} from '../repositories/organisations-repository';
import type { ImportResult, Organisation } from '../schemas/organisation';
import type { DocumentsContext } from '../context';
import { rowsOutsideScope } from './import-scope';
import type { RowError } from './import-scope';

export type ImportOrganisationsInput = { organisations: Organisation[] };

/**
 * Loads (or refreshes) organisations with their units and people (with the roles they hold), all in one
 * transaction: a bad row leaves the directory as it was, and every bad row is named in the refusal. An agency's
 * administrator loads its own agency; the province's directory-admin loads any, the whole directory at once
 * (import-scope.ts). A row outside the caller's scope refuses the whole import with 403, before anything is written.
 */
export async function importOrganisations(
  input: ImportOrganisationsInput,
  ctx: DocumentsContext,
): Promise<ImportResult> {
  requireRole(ctx.identity, 'admin', 'directory-admin');
  const { organisations } = input;
  return withTransaction(ctx.pool, async (tx) => {
    const parents = await listParentCodes(
      tx,
      organisations.map((o) => o.code),
    );
    const outside = rowsOutsideScope(organisations, ctx.identity, parents);
    if (outside.length > 0)
      throw new AppError(
        'FORBIDDEN',
        `${outside.length} row(s) outside what you may import, e.g. ${outside[0]?.field}: ${outside[0]?.message}`,
        { errors: outside.slice(0, 100) },
      );
    const known = new Map<string, string[]>();
    for (const organisation of organisations)
      if (!known.has(organisation.code)) known.set(organisation.code, await listUnitCodes(tx, organisation.code));
    const errors = badRows(organisations, known);
    if (errors.length > 0)
      throw new AppError(
        'VALIDATION_FAILED',
        `${errors.length} bad row(s) in the directory, e.g. ${errors[0]?.field}: ${errors[0]?.message}`,
        { errors: errors.slice(0, 100) },
      );
    const counts = { organisations: 0, units: 0, people: 0 };
    for (const organisation of organisations) {
      await upsertOrganisation(tx, {
        code: organisation.code,
        name: organisation.name.normalize('NFC'),
        abbreviation: organisation.abbreviation.normalize('NFC'),
        parentCode: organisation.parentCode,
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
          roles: person.roles ?? [],
        });
        counts.people += 1;
      }
    }
    return counts;
  });
}

/**
 * What the schema cannot see: an organisation listed twice, a person listed twice in one organisation, a person in
 * a unit the organisation does not have (in this import or already in the directory), and a unit leader (lãnh đạo
 * phòng) without the unit they head — NĐ 30/2020 Điều 12: the head of the drafting unit answers for the draft's
 * content, so the directory must know which unit that is (docs/domain/requirements.md, outgoing flow).
 */
function badRows(organisations: Organisation[], knownUnits: Map<string, string[]>): RowError[] {
  const errors: RowError[] = [];
  const codes = new Set<string>();
  organisations.forEach((organisation, i) => {
    const at = `organisations[${i}]`;
    if (codes.has(organisation.code))
      errors.push({ field: `${at}.code`, message: `organisation ${organisation.code} is listed twice` });
    codes.add(organisation.code);
    const units = new Set([
      ...(knownUnits.get(organisation.code) ?? []),
      ...(organisation.units ?? []).map((u) => u.code),
    ]);
    const userIds = new Set<string>();
    (organisation.people ?? []).forEach((person, j) => {
      const row = `${at}.people[${j}]`;
      if (userIds.has(person.userId))
        errors.push({ field: `${row}.userId`, message: `${person.userId} is listed twice in ${organisation.code}` });
      userIds.add(person.userId);
      if (person.unitCode !== undefined && !units.has(person.unitCode))
        errors.push({
          field: `${row}.unitCode`,
          message: `${organisation.code} has no unit ${person.unitCode} (list it under units)`,
        });
      if (person.roles?.includes('unit-leader') && person.unitCode === undefined)
        errors.push({ field: `${row}.unitCode`, message: 'a unit-leader needs the unit they head' });
    });
  });
  return errors;
}
