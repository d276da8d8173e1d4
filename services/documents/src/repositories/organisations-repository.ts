import type { Tx } from '@vanthu/platform';
import type { Organisation, StaffRole } from '../schemas/organisation';

export type OrganisationRecord = { code: string; name: string; abbreviation: string; parentCode: string | null };
export type UnitRecord = { code: string; name: string; abbreviation: string };

/** Inserts or refreshes an organisation; a parentCode left undefined keeps the parent the directory has. */
export async function upsertOrganisation(
  tx: Tx,
  organisation: Omit<OrganisationRecord, 'parentCode'> & { parentCode: string | null | undefined },
): Promise<void> {
  await tx.query(
    `INSERT INTO organisations (code, name, abbreviation, parent_code) VALUES ($1, $2, $3, $4)
     ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name, abbreviation = EXCLUDED.abbreviation,
       parent_code = CASE WHEN $5 THEN EXCLUDED.parent_code ELSE organisations.parent_code END, updated_at = now()`,
    [
      organisation.code,
      organisation.name,
      organisation.abbreviation,
      organisation.parentCode ?? null,
      organisation.parentCode !== undefined,
    ],
  );
}

/** The parent each of these organisations has in the directory (codes not in the directory are absent). */
export async function listParentCodes(tx: Tx, codes: string[]): Promise<Map<string, string | null>> {
  const { rows } = await tx.query<{ code: string; parent_code: string | null }>(
    'SELECT code, parent_code FROM organisations WHERE code = ANY($1::text[])',
    [codes],
  );
  return new Map(rows.map((r) => [r.code, r.parent_code]));
}

export async function upsertUnit(tx: Tx, organisationCode: string, unit: UnitRecord): Promise<void> {
  await tx.query(
    `INSERT INTO organisation_units (organisation_code, code, name, abbreviation) VALUES ($1, $2, $3, $4)
     ON CONFLICT (organisation_code, code) DO UPDATE SET name = EXCLUDED.name, abbreviation = EXCLUDED.abbreviation`,
    [organisationCode, unit.code, unit.name, unit.abbreviation],
  );
}

export async function upsertPerson(
  tx: Tx,
  organisationCode: string,
  person: { userId: string; fullName: string; position: string | null; unitCode: string | null; roles: string[] },
): Promise<void> {
  await tx.query(
    `INSERT INTO organisation_people (organisation_code, user_id, full_name, position, unit_code, roles) VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (organisation_code, user_id) DO UPDATE SET full_name = EXCLUDED.full_name, position = EXCLUDED.position, unit_code = EXCLUDED.unit_code, roles = EXCLUDED.roles`,
    [organisationCode, person.userId, person.fullName, person.position, person.unitCode, person.roles],
  );
}

/** The unit codes the directory already holds for an organisation (a person's unit may come from an earlier import). */
export async function listUnitCodes(tx: Tx, organisationCode: string): Promise<string[]> {
  const { rows } = await tx.query<{ code: string }>(
    'SELECT code FROM organisation_units WHERE organisation_code = $1',
    [organisationCode],
  );
  return rows.map((r) => r.code);
}

export async function findOrganisation(tx: Tx, code: string): Promise<Organisation | undefined> {
  const { rows } = await tx.query<{ code: string; name: string; abbreviation: string; parent_code: string | null }>(
    'SELECT * FROM organisations WHERE code = $1',
    [code],
  );
  const row = rows[0];
  if (!row) return undefined;
  const units = await tx.query<UnitRecord>(
    'SELECT code, name, abbreviation FROM organisation_units WHERE organisation_code = $1 ORDER BY code',
    [code],
  );
  const people = await tx.query<{
    user_id: string;
    full_name: string;
    position: string | null;
    unit_code: string | null;
    roles: StaffRole[];
  }>(
    'SELECT user_id, full_name, position, unit_code, roles FROM organisation_people WHERE organisation_code = $1 ORDER BY user_id',
    [code],
  );
  return {
    code: row.code,
    name: row.name,
    abbreviation: row.abbreviation,
    parentCode: row.parent_code,
    units: units.rows,
    people: people.rows.map((p) => ({
      userId: p.user_id,
      fullName: p.full_name,
      ...(p.position ? { position: p.position } : {}),
      ...(p.unit_code ? { unitCode: p.unit_code } : {}),
      roles: p.roles,
    })),
  };
}

export async function findUnit(tx: Tx, organisationCode: string, unitCode: string): Promise<UnitRecord | undefined> {
  const { rows } = await tx.query<UnitRecord>(
    'SELECT code, name, abbreviation FROM organisation_units WHERE organisation_code = $1 AND code = $2',
    [organisationCode, unitCode],
  );
  return rows[0];
}
