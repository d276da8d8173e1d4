import type { Tx } from '@vanthu/platform';
import { buildFileCode, formatNumber } from '../domain/numbering';
import type { Document, DocumentVersion, Recall, Registration } from '../schemas/document';

type DocumentRow = {
  id: string;
  agency_code: string;
  direction: Document['direction'];
  subject: string;
  type_code: string | null;
  metadata: { urgency?: Document['urgency']; description?: string } & Record<string, unknown>;
  status: string;
  recall: Recall | null;
  current_version: number;
  created_by: string;
  created_at: Date;
  updated_at: Date;
};

type VersionRow = {
  version: number;
  sha256: string;
  media_type: string;
  size_bytes: number;
  file_name: string | null;
  kind: string;
  created_by: string;
  created_at: Date;
};

export async function insertBlob(
  tx: Tx,
  blob: { sha256: string; sizeBytes: number; mediaType: string },
): Promise<void> {
  await tx.query(
    'INSERT INTO blobs (sha256, size_bytes, media_type) VALUES ($1, $2, $3) ON CONFLICT (sha256) DO NOTHING',
    [blob.sha256, blob.sizeBytes, blob.mediaType],
  );
}

export async function insertDocument(
  tx: Tx,
  document: {
    id: string;
    agencyCode: string;
    direction: string;
    subject: string;
    typeCode: string | null;
    metadata: object;
    searchText: string;
    createdBy: string;
  },
): Promise<void> {
  await tx.query(
    `INSERT INTO documents (id, agency_code, direction, subject, type_code, metadata, search_text, current_version, created_by)
     VALUES ($1, $2, $3, $4, $5, $6, $7, 1, $8)`,
    [
      document.id,
      document.agencyCode,
      document.direction,
      document.subject,
      document.typeCode,
      JSON.stringify(document.metadata),
      document.searchText,
      document.createdBy,
    ],
  );
}

export async function insertVersion(
  tx: Tx,
  version: {
    documentId: string;
    version: number;
    sha256: string;
    mediaType: string;
    sizeBytes: number;
    fileName: string | null;
    kind: string;
    createdBy: string;
  },
): Promise<void> {
  await tx.query(
    `INSERT INTO document_versions (document_id, version, sha256, media_type, size_bytes, file_name, kind, created_by)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
    [
      version.documentId,
      version.version,
      version.sha256,
      version.mediaType,
      version.sizeBytes,
      version.fileName,
      version.kind,
      version.createdBy,
    ],
  );
}

export type LockedDocument = {
  currentVersion: number;
  status: string;
  direction: Document['direction'];
  typeCode: string | null;
  metadata: Record<string, unknown>;
  subject: string;
};

/** Locks the document row for the rest of the transaction and returns what state changes need. */
export async function lockDocument(tx: Tx, agencyCode: string, id: string): Promise<LockedDocument | undefined> {
  const { rows } = await tx.query<{
    current_version: number;
    status: string;
    direction: Document['direction'];
    type_code: string | null;
    metadata: Record<string, unknown>;
    subject: string;
  }>(
    'SELECT current_version, status, direction, type_code, metadata, subject FROM documents WHERE id = $1 AND agency_code = $2 FOR UPDATE',
    [id, agencyCode],
  );
  const row = rows[0];
  return row
    ? {
        currentVersion: row.current_version,
        status: row.status,
        direction: row.direction,
        typeCode: row.type_code,
        metadata: row.metadata,
        subject: row.subject,
      }
    : undefined;
}

export async function setStatus(tx: Tx, id: string, status: string, extra: { recall?: Recall } = {}): Promise<void> {
  await tx.query(`UPDATE documents SET status = $2, recall = COALESCE($3, recall), updated_at = now() WHERE id = $1`, [
    id,
    status,
    extra.recall ? JSON.stringify(extra.recall) : null,
  ]);
}

/** One statement for everything registration changes on the document row; returns the new updated_at. */
export async function markRegistered(
  tx: Tx,
  id: string,
  change: { metadata: Record<string, unknown>; typeCode: string | null; searchText: string },
): Promise<string> {
  const { rows } = await tx.query<{ updated_at: Date }>(
    `UPDATE documents SET status = 'registered', type_code = $3, metadata = metadata || $2::jsonb, search_text = search_text || ' ' || $4, updated_at = now()
      WHERE id = $1 RETURNING updated_at`,
    [id, JSON.stringify(change.metadata), change.typeCode, change.searchText],
  );
  const row = rows[0];
  if (!row) throw new Error(`document ${id} vanished while being registered`);
  return row.updated_at.toISOString();
}

export async function setCurrentVersion(tx: Tx, id: string, version: number): Promise<void> {
  await tx.query('UPDATE documents SET current_version = $2, updated_at = now() WHERE id = $1', [id, version]);
}

/** Scoped to the agency: another agency's document is indistinguishable from a missing one. */
export async function findDocument(tx: Tx, agencyCode: string, id: string): Promise<Document | undefined> {
  const { rows } = await tx.query<DocumentRow & RegistrationColumns>(
    `SELECT d.*, r.register_id, g.name AS register_name, r.year, r.number, r.notation, r.document_identifier, r.registered_at, r.registered_by
       FROM documents d
       LEFT JOIN registrations r ON r.document_id = d.id
       LEFT JOIN registers g ON g.id = r.register_id
      WHERE d.id = $1 AND d.agency_code = $2`,
    [id, agencyCode],
  );
  const row = rows[0];
  if (!row) return undefined;
  const { urgency, description, ...rest } = row.metadata;
  const versions = await tx.query<VersionRow>(
    'SELECT version, sha256, media_type, size_bytes, file_name, kind, created_by, created_at FROM document_versions WHERE document_id = $1 ORDER BY version',
    [id],
  );
  const filings = await tx.query<{
    dossier_id: string;
    agency_code: string;
    year: number;
    file_notation: string;
    ordinal: number;
  }>(
    `SELECT x.dossier_id, d.agency_code, d.year, d.file_notation, x.ordinal FROM dossier_documents x JOIN dossiers d ON d.id = x.dossier_id
      WHERE x.document_id = $1 ORDER BY x.added_at, x.dossier_id`,
    [id],
  );
  return {
    id: row.id,
    agencyCode: row.agency_code,
    direction: row.direction,
    subject: row.subject,
    typeCode: row.type_code,
    urgency: urgency ?? 'normal',
    description: description ?? null,
    metadata: rest,
    status: row.status,
    registration: toRegistration(row),
    recall: row.recall,
    dossiers: filings.rows.map((f) => ({
      dossierId: f.dossier_id,
      fileCode: buildFileCode(f.agency_code, f.year, f.file_notation),
      ordinal: f.ordinal,
    })),
    currentVersion: row.current_version,
    versions: versions.rows.map(toVersion),
    createdBy: row.created_by,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

function toVersion(row: VersionRow): DocumentVersion {
  return {
    version: row.version,
    sha256: row.sha256,
    mediaType: row.media_type,
    sizeBytes: row.size_bytes,
    fileName: row.file_name,
    kind: row.kind,
    createdBy: row.created_by,
    createdAt: row.created_at.toISOString(),
  };
}

type RegistrationColumns = {
  register_id: string | null;
  register_name: string | null;
  year: number | null;
  number: number | null;
  notation: string | null;
  document_identifier: string | null;
  registered_at: Date | null;
  registered_by: string | null;
};

function toRegistration(row: RegistrationColumns): Registration | null {
  if (row.register_id === null || row.number === null || row.year === null || row.registered_at === null) return null;
  return {
    registerId: row.register_id,
    registerName: row.register_name ?? '',
    year: row.year,
    number: row.number,
    numberText: formatNumber(row.number),
    notation: row.notation ?? '',
    documentIdentifier: row.document_identifier ?? '',
    registeredAt: row.registered_at.toISOString(),
    registeredBy: row.registered_by ?? '',
  };
}
