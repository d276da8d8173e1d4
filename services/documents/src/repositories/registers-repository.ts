import type { Tx } from '@vanthu/platform';
import type { Register } from '../schemas/register';

type RegisterRow = {
  id: string;
  agency_code: string;
  name: string;
  direction: Register['direction'];
  description: string | null;
  type_codes: string[] | null;
  created_by: string;
  created_at: Date;
};

const toRegister = (row: RegisterRow): Register => ({
  id: row.id,
  agencyCode: row.agency_code,
  name: row.name,
  direction: row.direction,
  description: row.description,
  typeCodes: row.type_codes,
  createdBy: row.created_by,
  createdAt: row.created_at.toISOString(),
});

/** Inserts unless the agency already has a register of that name; returns undefined then. */
export async function insertRegister(
  tx: Tx,
  register: {
    id: string;
    agencyCode: string;
    name: string;
    direction: string;
    description: string | null;
    typeCodes: string[] | null;
    createdBy: string;
  },
): Promise<Register | undefined> {
  const { rows } = await tx.query<RegisterRow>(
    `INSERT INTO registers (id, agency_code, name, direction, description, type_codes, created_by) VALUES ($1, $2, $3, $4, $5, $6, $7)
     ON CONFLICT (agency_code, name) DO NOTHING RETURNING *`,
    [
      register.id,
      register.agencyCode,
      register.name,
      register.direction,
      register.description,
      register.typeCodes,
      register.createdBy,
    ],
  );
  return rows[0] ? toRegister(rows[0]) : undefined;
}

export async function findRegister(tx: Tx, agencyCode: string, id: string): Promise<Register | undefined> {
  const { rows } = await tx.query<RegisterRow>('SELECT * FROM registers WHERE id = $1 AND agency_code = $2', [
    id,
    agencyCode,
  ]);
  return rows[0] ? toRegister(rows[0]) : undefined;
}

/** What numbering a document in a register needs: the register, the agency's directory entry and, when named, the unit. */
export type NumberingTarget = {
  register: Register;
  organisation: { name: string; abbreviation: string } | undefined;
  unit: { code: string; abbreviation: string } | undefined;
};

/**
 * The register, the agency's name and abbreviation and the drafting unit's abbreviation in one statement: a
 * registration runs in a burst, and each round trip to PostgreSQL costs both processes CPU (this replaced four).
 */
export async function findNumberingTarget(
  tx: Tx,
  agencyCode: string,
  registerId: string,
  unitCode: string | undefined,
): Promise<NumberingTarget | undefined> {
  const { rows } = await tx.query<
    RegisterRow & {
      organisation_name: string | null;
      organisation_abbreviation: string | null;
      unit_code: string | null;
      unit_abbreviation: string | null;
    }
  >({
    // Named: parsed and planned once per connection, not once per registration of a burst.
    name: 'registers.numbering-target',
    text: `SELECT g.*, o.name AS organisation_name, o.abbreviation AS organisation_abbreviation,
                  u.code AS unit_code, u.abbreviation AS unit_abbreviation
             FROM registers g
             LEFT JOIN organisations o ON o.code = g.agency_code
             LEFT JOIN organisation_units u ON u.organisation_code = g.agency_code AND u.code = $3
            WHERE g.id = $1 AND g.agency_code = $2`,
    values: [registerId, agencyCode, unitCode ?? null],
  });
  const row = rows[0];
  if (!row) return undefined;
  return {
    register: toRegister(row),
    organisation:
      row.organisation_name !== null && row.organisation_abbreviation !== null
        ? { name: row.organisation_name, abbreviation: row.organisation_abbreviation }
        : undefined,
    unit:
      row.unit_code !== null && row.unit_abbreviation !== null
        ? { code: row.unit_code, abbreviation: row.unit_abbreviation }
        : undefined,
  };
}

export async function listRegisters(tx: Tx, agencyCode: string): Promise<Register[]> {
  const { rows } = await tx.query<RegisterRow>(
    'SELECT * FROM registers WHERE agency_code = $1 ORDER BY created_at, id',
    [agencyCode],
  );
  return rows.map(toRegister);
}

/**
 * Takes the next number of a series in a year. The upsert holds the counter row's lock until
 * the caller's transaction ends, so concurrent callers queue, and a rollback (or a crash)
 * gives the number back: numbers never repeat and never skip (NĐ 30/2020 Điều 15.1, 22.2).
 */
export async function takeNextNumber(tx: Tx, seriesKey: string, year: number): Promise<number> {
  const { rows } = await tx.query<{ last_number: number }>(
    `INSERT INTO number_counters (series_key, year, last_number) VALUES ($1, $2, 1)
     ON CONFLICT (series_key, year) DO UPDATE SET last_number = number_counters.last_number + 1
     RETURNING last_number`,
    [seriesKey, year],
  );
  const row = rows[0];
  if (!row) throw new Error('number counter upsert returned no row');
  return row.last_number;
}

/** Earlier incoming registrations with the same identifier, or the same số/ký hiệu from the same issuer. */
export async function findIncomingDuplicates(
  tx: Tx,
  agencyCode: string,
  candidate: { documentId: string; documentIdentifier: string; notation: string; issuerCode: string },
): Promise<{ documentId: string; sameIdentifier: boolean }[]> {
  const { rows } = await tx.query<{ document_id: string; same_identifier: boolean }>(
    `SELECT r.document_id, r.document_identifier = $2 AS same_identifier
       FROM registrations r JOIN documents d ON d.id = r.document_id
      WHERE r.agency_code = $1 AND r.direction = 'incoming' AND r.document_id <> $5
        AND (r.document_identifier = $2 OR (r.notation = $3 AND d.metadata -> 'sender' ->> 'organId' = $4))
      ORDER BY r.registered_at`,
    [agencyCode, candidate.documentIdentifier, candidate.notation, candidate.issuerCode, candidate.documentId],
  );
  return rows.map((row) => ({ documentId: row.document_id, sameIdentifier: row.same_identifier }));
}

export type RegisterEntry = {
  number: number;
  notation: string;
  registeredOn: string;
  subject: string;
  typeCode: string | null;
  status: string;
  metadata: Record<string, unknown>;
};

/** The register's entries whose registration date (Vietnam) falls in [from, to], in number order. */
export async function listRegisterEntries(
  tx: Tx,
  agencyCode: string,
  registerId: string,
  from: string,
  to: string,
): Promise<RegisterEntry[]> {
  const { rows } = await tx.query<{
    number: number;
    notation: string;
    registered_on: string;
    subject: string;
    type_code: string | null;
    status: string;
    metadata: Record<string, unknown>;
  }>(
    `SELECT r.number, r.notation, to_char(r.registered_at AT TIME ZONE 'Asia/Ho_Chi_Minh', 'YYYY-MM-DD') AS registered_on,
            d.subject, d.type_code, d.status, d.metadata
       FROM registrations r JOIN documents d ON d.id = r.document_id
      WHERE r.agency_code = $1 AND r.register_id = $2
        AND (r.registered_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date BETWEEN $3::date AND $4::date
      ORDER BY r.year, r.number`,
    [agencyCode, registerId, from, to],
  );
  return rows.map((row) => ({
    number: row.number,
    notation: row.notation,
    registeredOn: row.registered_on,
    subject: row.subject,
    typeCode: row.type_code,
    status: row.status,
    metadata: row.metadata,
  }));
}
