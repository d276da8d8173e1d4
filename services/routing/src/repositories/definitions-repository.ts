import type { Tx } from '@vanthu/platform';
import type { ProcessDefinitionBody } from '../definitions/definition-schema';

export type StoredDefinition = {
  id: string;
  agencyCode: string | null;
  kind: ProcessDefinitionBody['kind'];
  version: number;
  definition: ProcessDefinitionBody;
  createdBy: string;
  createdAt: Date;
};

type Row = {
  id: string;
  agency_code: string | null;
  kind: ProcessDefinitionBody['kind'];
  version: number;
  definition: ProcessDefinitionBody;
  created_by: string;
  created_at: Date;
};

const columns = 'id, agency_code, kind, version, definition, created_by, created_at';

function toDefinition(row: Row): StoredDefinition {
  return {
    id: row.id,
    agencyCode: row.agency_code,
    kind: row.kind,
    version: row.version,
    definition: row.definition,
    createdBy: row.created_by,
    createdAt: row.created_at,
  };
}

/** Inserts the next version of (agency, kind); the unique index settles two uploads at once. */
export async function insertDefinition(
  tx: Tx,
  row: { id: string; agencyCode: string | null; kind: string; definition: ProcessDefinitionBody; createdBy: string },
): Promise<StoredDefinition> {
  const { rows } = await tx.query<Row>(
    `INSERT INTO process_definitions (id, agency_code, kind, version, definition, created_by)
     SELECT $1, $2, $3, coalesce(max(version), 0) + 1, $4, $5 FROM process_definitions
      WHERE coalesce(agency_code, '') = coalesce($2, '') AND kind = $3
     RETURNING ${columns}`,
    [row.id, row.agencyCode, row.kind, JSON.stringify(row.definition), row.createdBy],
  );
  return toDefinition(rows[0] as Row);
}

/** The shipped default of a kind, inserted once (version 1) the first time any agency needs it. */
export async function ensureDefaultDefinition(
  tx: Tx,
  row: { id: string; kind: string; definition: ProcessDefinitionBody },
): Promise<StoredDefinition> {
  await tx.query(
    `INSERT INTO process_definitions (id, agency_code, kind, version, definition, created_by)
     VALUES ($1, NULL, $2, 1, $3, 'vanthu') ON CONFLICT DO NOTHING`,
    [row.id, row.kind, JSON.stringify(row.definition)],
  );
  const { rows } = await tx.query<Row>(
    `SELECT ${columns} FROM process_definitions WHERE agency_code IS NULL AND kind = $1 ORDER BY version DESC LIMIT 1`,
    [row.kind],
  );
  return toDefinition(rows[0] as Row);
}

/** The agency's latest version of a kind, if it uploaded any. */
export async function findAgencyDefinition(
  tx: Tx,
  agencyCode: string,
  kind: string,
): Promise<StoredDefinition | undefined> {
  const { rows } = await tx.query<Row>(
    `SELECT ${columns} FROM process_definitions WHERE agency_code = $1 AND kind = $2 ORDER BY version DESC LIMIT 1`,
    [agencyCode, kind],
  );
  return rows[0] ? toDefinition(rows[0]) : undefined;
}

/** A definition the agency may see: its own, or a shipped default. */
export async function findDefinition(tx: Tx, agencyCode: string, id: string): Promise<StoredDefinition | undefined> {
  const { rows } = await tx.query<Row>(
    `SELECT ${columns} FROM process_definitions WHERE id = $1 AND (agency_code = $2 OR agency_code IS NULL)`,
    [id, agencyCode],
  );
  return rows[0] ? toDefinition(rows[0]) : undefined;
}

export async function listDefinitions(tx: Tx, agencyCode: string): Promise<StoredDefinition[]> {
  const { rows } = await tx.query<Row>(
    `SELECT ${columns} FROM process_definitions WHERE agency_code = $1 OR agency_code IS NULL
      ORDER BY kind, agency_code NULLS FIRST, version`,
    [agencyCode],
  );
  return rows.map(toDefinition);
}
