import type { Tx } from '@vanthu/platform';
import { buildFileCode } from '../rules/numbering';
import type { DossierEntry, DossierSummary } from '../schemas/dossier';

type DossierRow = {
  id: string;
  agency_code: string;
  year: number;
  file_notation: string;
  title: string;
  maintenance: string;
  rights: string | null;
  creator: string;
  language: string;
  description: string | null;
  status: string;
  start_date: string;
  end_date: string | null;
  handover_due: string | null;
  reminder_from: string | null;
  doc_total: number;
  page_total: number;
  created_at: Date;
};

// Dates come back as yyyy-MM-dd text so no time zone shifts them.
const selectDossier = `
  SELECT d.id, d.agency_code, d.year, d.file_notation, d.title, d.maintenance, d.rights, d.creator, d.language, d.description, d.status,
         to_char(d.start_date, 'YYYY-MM-DD') AS start_date, to_char(d.end_date, 'YYYY-MM-DD') AS end_date,
         to_char(d.handover_due, 'YYYY-MM-DD') AS handover_due, to_char(d.handover_due - 30, 'YYYY-MM-DD') AS reminder_from,
         (SELECT count(*) FROM dossier_documents x WHERE x.dossier_id = d.id)::int AS doc_total,
         (SELECT COALESCE(sum(x.pages), 0) FROM dossier_documents x WHERE x.dossier_id = d.id)::int AS page_total,
         d.created_at
    FROM dossiers d`;

const toSummary = (row: DossierRow): DossierSummary => ({
  id: row.id,
  fileCode: buildFileCode(row.agency_code, row.year, row.file_notation),
  organId: row.agency_code,
  year: row.year,
  fileNotation: row.file_notation,
  title: row.title,
  maintenance: row.maintenance,
  rights: row.rights,
  creator: row.creator,
  language: row.language,
  description: row.description,
  status: row.status,
  startDate: row.start_date,
  endDate: row.end_date,
  handoverDue: row.handover_due,
  handoverReminderFrom: row.reminder_from,
  docTotal: row.doc_total,
  pageTotal: row.page_total,
  createdAt: row.created_at.toISOString(),
});

export async function insertDossier(
  tx: Tx,
  dossier: {
    id: string;
    agencyCode: string;
    year: number;
    fileNotation: string;
    title: string;
    maintenance: string;
    rights: string | null;
    creator: string;
    language: string;
    description: string | null;
    startDate: string;
    createdBy: string;
  },
): Promise<boolean> {
  const result = await tx.query(
    `INSERT INTO dossiers (id, agency_code, year, file_notation, title, maintenance, rights, creator, language, description, start_date, created_by)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) ON CONFLICT (agency_code, year, file_notation) DO NOTHING`,
    [
      dossier.id,
      dossier.agencyCode,
      dossier.year,
      dossier.fileNotation,
      dossier.title,
      dossier.maintenance,
      dossier.rights,
      dossier.creator,
      dossier.language,
      dossier.description,
      dossier.startDate,
      dossier.createdBy,
    ],
  );
  return result.rowCount === 1;
}

export async function findDossier(
  tx: Tx,
  agencyCode: string,
  id: string,
  lock = false,
): Promise<DossierSummary | undefined> {
  if (lock) await tx.query('SELECT 1 FROM dossiers WHERE id = $1 AND agency_code = $2 FOR UPDATE', [id, agencyCode]);
  const { rows } = await tx.query<DossierRow>(`${selectDossier} WHERE d.id = $1 AND d.agency_code = $2`, [
    id,
    agencyCode,
  ]);
  return rows[0] ? toSummary(rows[0]) : undefined;
}

export async function listDossiers(
  tx: Tx,
  agencyCode: string,
  filter: { year?: number; dueBy?: string },
): Promise<DossierSummary[]> {
  const where = ['d.agency_code = $1'];
  const params: unknown[] = [agencyCode];
  if (filter.year !== undefined) {
    params.push(filter.year);
    where.push(`d.year = $${params.length}`);
  }
  if (filter.dueBy !== undefined) {
    params.push(filter.dueBy);
    where.push(`d.status = 'closed' AND d.handover_due <= $${params.length}::date`);
  }
  const { rows } = await tx.query<DossierRow>(
    `${selectDossier} WHERE ${where.join(' AND ')} ORDER BY d.year, d.file_notation`,
    params,
  );
  return rows.map(toSummary);
}

export async function listEntries(tx: Tx, dossierId: string): Promise<DossierEntry[]> {
  const { rows } = await tx.query<{
    ordinal: number;
    document_id: string;
    subject: string;
    notation: string | null;
    issued_date: string | null;
    pages: number;
    added_by: string;
    added_at: Date;
  }>(
    `SELECT x.ordinal, x.document_id, d.subject, r.notation, d.metadata ->> 'issuedDate' AS issued_date, x.pages, x.added_by, x.added_at
       FROM dossier_documents x JOIN documents d ON d.id = x.document_id LEFT JOIN registrations r ON r.document_id = d.id
      WHERE x.dossier_id = $1 ORDER BY x.ordinal`,
    [dossierId],
  );
  return rows.map((row) => ({
    ordinal: row.ordinal,
    documentId: row.document_id,
    subject: row.subject,
    notation: row.notation,
    issuedDate: row.issued_date,
    pages: row.pages,
    addedBy: row.added_by,
    addedAt: row.added_at.toISOString(),
  }));
}

/** Files the document under the next ordinal; false when it is already in the dossier. The dossier row must be locked. */
export async function insertEntry(
  tx: Tx,
  entry: { dossierId: string; documentId: string; pages: number; addedBy: string },
): Promise<{ ordinal: number; addedAt: string } | undefined> {
  const { rows } = await tx.query<{ ordinal: number; added_at: Date }>(
    `INSERT INTO dossier_documents (dossier_id, document_id, ordinal, pages, added_by)
     SELECT $1, $2, COALESCE(max(ordinal), 0) + 1, $3, $4 FROM dossier_documents WHERE dossier_id = $1
     ON CONFLICT (dossier_id, document_id) DO NOTHING RETURNING ordinal, added_at`,
    [entry.dossierId, entry.documentId, entry.pages, entry.addedBy],
  );
  const row = rows[0];
  return row ? { ordinal: row.ordinal, addedAt: row.added_at.toISOString() } : undefined;
}

export async function closeDossierRow(tx: Tx, id: string, endDate: string): Promise<void> {
  // NĐ 30/2020 Điều 31.1.a: hand-over to the agency archive within 1 year of the work ending.
  await tx.query(
    `UPDATE dossiers SET status = 'closed', end_date = $2::date, handover_due = ($2::date + interval '1 year')::date WHERE id = $1`,
    [id, endDate],
  );
}

export type DueHandover = {
  id: string;
  agencyCode: string;
  year: number;
  fileNotation: string;
  title: string;
  handoverDue: string;
};

/**
 * Claims (SKIP LOCKED, for the rest of the transaction) up to 500 closed dossiers not yet reminded whose
 * hand-over falls due within 30 days of `today`, so concurrent instances never claim one twice.
 */
export async function claimDueHandovers(tx: Tx, today: string): Promise<DueHandover[]> {
  const { rows } = await tx.query<{
    id: string;
    agency_code: string;
    year: number;
    file_notation: string;
    title: string;
    handover_due: string;
  }>(
    `SELECT id, agency_code, year, file_notation, title, to_char(handover_due, 'YYYY-MM-DD') AS handover_due
       FROM dossiers
      WHERE status = 'closed' AND handover_reminded_at IS NULL AND handover_due - 30 <= $1::date
      ORDER BY handover_due LIMIT 500 FOR UPDATE SKIP LOCKED`,
    [today],
  );
  return rows.map((row) => ({
    id: row.id,
    agencyCode: row.agency_code,
    year: row.year,
    fileNotation: row.file_notation,
    title: row.title,
    handoverDue: row.handover_due,
  }));
}

export async function markHandoverReminded(tx: Tx, id: string, at: Date): Promise<void> {
  await tx.query('UPDATE dossiers SET handover_reminded_at = $2 WHERE id = $1', [id, at]);
}
