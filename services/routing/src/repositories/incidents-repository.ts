import type { Tx } from '@vanthu/platform';

// Incident mode and what the records office issued on paper during it (docs/domain/directives.md, Ngã Năm
// Điều 8.5c): one mapper per aggregate, the paper issues with their incident.

export type IncidentRecord = {
  id: string;
  agencyCode: string;
  reason: string;
  startedAt: Date;
  endedAt: Date | null;
  declaredBy: string;
  declaredAt: Date;
  endedBy: string | null;
};

export type PaperIssueRecord = {
  processId: string;
  agencyCode: string;
  documentId: string;
  incidentId: string;
  taskId: string;
  paperNotation: string;
  note: string | null;
  issuedBy: string;
  issuedAt: Date;
  digitisationTaskId: string | null;
  digitisedCopyId: string | null;
  digitisedAt: Date | null;
};

type IncidentRow = {
  id: string;
  agency_code: string;
  reason: string;
  started_at: Date;
  ended_at: Date | null;
  declared_by: string;
  declared_at: Date;
  ended_by: string | null;
};

type PaperIssueRow = {
  process_id: string;
  agency_code: string;
  document_id: string;
  incident_id: string;
  task_id: string;
  paper_notation: string;
  note: string | null;
  issued_by: string;
  issued_at: Date;
  digitisation_task_id: string | null;
  digitised_copy_id: string | null;
  digitised_at: Date | null;
};

const incidentColumns = 'id, agency_code, reason, started_at, ended_at, declared_by, declared_at, ended_by';
const paperColumns = `process_id, agency_code, document_id, incident_id, task_id, paper_notation, note, issued_by,
  issued_at, digitisation_task_id, digitised_copy_id, digitised_at`;

function toIncident(row: IncidentRow): IncidentRecord {
  return {
    id: row.id,
    agencyCode: row.agency_code,
    reason: row.reason,
    startedAt: row.started_at,
    endedAt: row.ended_at,
    declaredBy: row.declared_by,
    declaredAt: row.declared_at,
    endedBy: row.ended_by,
  };
}

function toPaperIssue(row: PaperIssueRow): PaperIssueRecord {
  return {
    processId: row.process_id,
    agencyCode: row.agency_code,
    documentId: row.document_id,
    incidentId: row.incident_id,
    taskId: row.task_id,
    paperNotation: row.paper_notation,
    note: row.note,
    issuedBy: row.issued_by,
    issuedAt: row.issued_at,
    digitisationTaskId: row.digitisation_task_id,
    digitisedCopyId: row.digitised_copy_id,
    digitisedAt: row.digitised_at,
  };
}

/** Undefined when the agency already has an open incident (the partial unique index keeps one open at a time). */
export async function insertIncident(
  tx: Tx,
  incident: Omit<IncidentRecord, 'endedAt' | 'endedBy'>,
): Promise<IncidentRecord | undefined> {
  const { rows } = await tx.query<IncidentRow>(
    `INSERT INTO incidents (id, agency_code, reason, started_at, declared_by, declared_at)
     VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (agency_code) WHERE ended_at IS NULL DO NOTHING
     RETURNING ${incidentColumns}`,
    [incident.id, incident.agencyCode, incident.reason, incident.startedAt, incident.declaredBy, incident.declaredAt],
  );
  return rows[0] ? toIncident(rows[0]) : undefined;
}

export async function lockIncident(tx: Tx, agencyCode: string, id: string): Promise<IncidentRecord | undefined> {
  const { rows } = await tx.query<IncidentRow>(
    `SELECT ${incidentColumns} FROM incidents WHERE id = $1 AND agency_code = $2 FOR UPDATE`,
    [id, agencyCode],
  );
  return rows[0] ? toIncident(rows[0]) : undefined;
}

/** The agency's open incident, locked (FOR SHARE) so that it cannot end while a paper issue is being recorded. */
export async function openIncidentOf(tx: Tx, agencyCode: string): Promise<IncidentRecord | undefined> {
  const { rows } = await tx.query<IncidentRow>(
    `SELECT ${incidentColumns} FROM incidents WHERE agency_code = $1 AND ended_at IS NULL FOR SHARE`,
    [agencyCode],
  );
  return rows[0] ? toIncident(rows[0]) : undefined;
}

export async function endIncident(
  tx: Tx,
  id: string,
  end: { endedAt: Date; endedBy: string },
): Promise<IncidentRecord> {
  const { rows } = await tx.query<IncidentRow>(
    `UPDATE incidents SET ended_at = $2, ended_by = $3 WHERE id = $1 RETURNING ${incidentColumns}`,
    [id, end.endedAt, end.endedBy],
  );
  return toIncident(rows[0] as IncidentRow);
}

export async function recentIncidents(tx: Tx, agencyCode: string, limit: number): Promise<IncidentRecord[]> {
  const { rows } = await tx.query<IncidentRow>(
    `SELECT ${incidentColumns} FROM incidents WHERE agency_code = $1 ORDER BY started_at DESC, id LIMIT $2`,
    [agencyCode, limit],
  );
  return rows.map(toIncident);
}

export async function insertPaperIssue(
  tx: Tx,
  issue: Omit<PaperIssueRecord, 'digitisationTaskId' | 'digitisedCopyId' | 'digitisedAt'>,
): Promise<PaperIssueRecord> {
  const { rows } = await tx.query<PaperIssueRow>(
    `INSERT INTO paper_issues (process_id, agency_code, document_id, incident_id, task_id, paper_notation, note,
        issued_by, issued_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING ${paperColumns}`,
    [
      issue.processId,
      issue.agencyCode,
      issue.documentId,
      issue.incidentId,
      issue.taskId,
      issue.paperNotation,
      issue.note,
      issue.issuedBy,
      issue.issuedAt,
    ],
  );
  return toPaperIssue(rows[0] as PaperIssueRow);
}

export async function paperIssuesOfIncidents(tx: Tx, incidentIds: string[]): Promise<PaperIssueRecord[]> {
  const { rows } = await tx.query<PaperIssueRow>(
    `SELECT ${paperColumns} FROM paper_issues WHERE incident_id = ANY($1::uuid[]) ORDER BY issued_at, process_id`,
    [incidentIds],
  );
  return rows.map(toPaperIssue);
}

/** Paper issues of a document still waiting for their digitised copy. */
export async function undigitisedPaperIssuesOf(
  tx: Tx,
  agencyCode: string,
  documentId: string,
): Promise<PaperIssueRecord[]> {
  const { rows } = await tx.query<PaperIssueRow>(
    `SELECT ${paperColumns} FROM paper_issues
      WHERE agency_code = $1 AND document_id = $2 AND digitised_copy_id IS NULL ORDER BY issued_at, process_id`,
    [agencyCode, documentId],
  );
  return rows.map(toPaperIssue);
}

export async function updatePaperIssue(
  tx: Tx,
  processId: string,
  change: { digitisationTaskId?: string; digitisedCopyId?: string; digitisedAt?: Date },
): Promise<PaperIssueRecord> {
  const { rows } = await tx.query<PaperIssueRow>(
    `UPDATE paper_issues
        SET digitisation_task_id = COALESCE($2, digitisation_task_id),
            digitised_copy_id = COALESCE($3, digitised_copy_id),
            digitised_at = COALESCE($4, digitised_at)
      WHERE process_id = $1 RETURNING ${paperColumns}`,
    [processId, change.digitisationTaskId ?? null, change.digitisedCopyId ?? null, change.digitisedAt ?? null],
  );
  return toPaperIssue(rows[0] as PaperIssueRow);
}
