import type { Tx } from '@vanthu/platform';
import type { Document, DocumentVersion } from '../schemas/document';

type DocumentRow = {
  id: string;
  agency_code: string;
  direction: Document['direction'];
  subject: string;
  metadata: { urgency?: Document['urgency']; description?: string };
  status: string;
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

export async function insertBlob(tx: Tx, blob: { sha256: string; sizeBytes: number; mediaType: string }): Promise<void> {
  await tx.query('INSERT INTO blobs (sha256, size_bytes, media_type) VALUES ($1, $2, $3) ON CONFLICT (sha256) DO NOTHING', [
    blob.sha256,
    blob.sizeBytes,
    blob.mediaType,
  ]);
}

export async function insertDocument(
  tx: Tx,
  document: { id: string; agencyCode: string; direction: string; subject: string; metadata: object; createdBy: string },
): Promise<void> {
  await tx.query(
    `INSERT INTO documents (id, agency_code, direction, subject, metadata, current_version, created_by)
     VALUES ($1, $2, $3, $4, $5, 1, $6)`,
    [document.id, document.agencyCode, document.direction, document.subject, JSON.stringify(document.metadata), document.createdBy],
  );
}

export async function insertVersion(
  tx: Tx,
  version: { documentId: string; version: number; sha256: string; mediaType: string; sizeBytes: number; fileName: string | null; kind: string; createdBy: string },
): Promise<void> {
  await tx.query(
    `INSERT INTO document_versions (document_id, version, sha256, media_type, size_bytes, file_name, kind, created_by)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
    [version.documentId, version.version, version.sha256, version.mediaType, version.sizeBytes, version.fileName, version.kind, version.createdBy],
  );
}

/** Locks the document row for the rest of the transaction and returns its current version. */
export async function lockDocument(tx: Tx, agencyCode: string, id: string): Promise<number | undefined> {
  const { rows } = await tx.query<{ current_version: number }>('SELECT current_version FROM documents WHERE id = $1 AND agency_code = $2 FOR UPDATE', [id, agencyCode]);
  return rows[0]?.current_version;
}

export async function setCurrentVersion(tx: Tx, id: string, version: number): Promise<void> {
  await tx.query('UPDATE documents SET current_version = $2, updated_at = now() WHERE id = $1', [id, version]);
}

/** Scoped to the agency: another agency's document is indistinguishable from a missing one. */
export async function findDocument(tx: Tx, agencyCode: string, id: string): Promise<Document | undefined> {
  const { rows } = await tx.query<DocumentRow>('SELECT * FROM documents WHERE id = $1 AND agency_code = $2', [id, agencyCode]);
  const row = rows[0];
  if (!row) return undefined;
  const versions = await tx.query<VersionRow>(
    'SELECT version, sha256, media_type, size_bytes, file_name, kind, created_by, created_at FROM document_versions WHERE document_id = $1 ORDER BY version',
    [id],
  );
  return {
    id: row.id,
    agencyCode: row.agency_code,
    direction: row.direction,
    subject: row.subject,
    urgency: row.metadata.urgency ?? 'normal',
    description: row.metadata.description ?? null,
    status: row.status,
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
