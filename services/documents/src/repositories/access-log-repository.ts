import type { Tx } from '@vanthu/platform';

export type AccessAction = 'read' | 'download' | 'print';
export type AccessEntry = {
  documentId: string;
  version: number | null;
  action: AccessAction;
  userId: string;
  at: string;
};

export async function insertAccess(
  tx: Tx,
  entry: { agencyCode: string; documentId: string; version: number | null; action: AccessAction; userId: string },
): Promise<void> {
  await tx.query(
    'INSERT INTO access_log (agency_code, document_id, version, action, user_id) VALUES ($1, $2, $3, $4, $5)',
    [entry.agencyCode, entry.documentId, entry.version, entry.action, entry.userId],
  );
}

export async function listAccess(
  tx: Tx,
  agencyCode: string,
  documentId: string,
  after: string,
  limit: number,
): Promise<(AccessEntry & { id: string })[]> {
  const { rows } = await tx.query<{
    id: string;
    document_id: string;
    version: number | null;
    action: AccessAction;
    user_id: string;
    at: Date;
  }>(
    'SELECT id, document_id, version, action, user_id, at FROM access_log WHERE agency_code = $1 AND document_id = $2 AND id > $3::bigint ORDER BY id LIMIT $4',
    [agencyCode, documentId, after, limit],
  );
  return rows.map((row) => ({
    id: row.id,
    documentId: row.document_id,
    version: row.version,
    action: row.action,
    userId: row.user_id,
    at: row.at.toISOString(),
  }));
}
