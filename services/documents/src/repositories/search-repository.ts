import type { Tx } from '@vanthu/platform';
import type { DocumentSummary, SavedSearch, SearchCriteria } from '../schemas/search';

export type SearchPage = {
  criteria: SearchCriteria;
  words: string[];
  after?: PageKey;
  limit: number;
};

/**
 * The exact sort key of a row: `created_at` to the microsecond (as PostgreSQL stores it) and the id.
 * A JavaScript Date keeps only milliseconds, so the key is read as text from the database, never
 * through a Date; otherwise rows created in the same millisecond as a page's last row are skipped.
 */
export type PageKey = { createdAt: string; id: string };

type SummaryRow = {
  id: string;
  direction: DocumentSummary['direction'];
  subject: string;
  type_code: string | null;
  urgency: string | null;
  status: string;
  notation: string | null;
  number: number | null;
  register_id: string | null;
  registered_at: Date | null;
  created_at: Date;
  created_at_exact: string;
};

/**
 * Newest first, always scoped to the caller's agency. Every word must occur in the folded
 * text (trigram index on search_text || content_text); LIKE metacharacters in words are escaped.
 */
export async function searchDocuments(
  tx: Tx,
  agencyCode: string,
  page: SearchPage,
): Promise<{ summary: DocumentSummary; key: PageKey }[]> {
  const where = ['d.agency_code = $1'];
  const params: unknown[] = [agencyCode];
  const add = (sql: (p: string) => string, value: unknown) => {
    params.push(value);
    where.push(sql(`$${params.length}`));
  };
  for (const word of page.words)
    add(
      (p) => `(d.search_text || ' ' || d.content_text) LIKE '%' || ${p} || '%'`,
      word.replace(/[\\%_]/g, (c) => `\\${c}`),
    );
  const c = page.criteria;
  if (c.direction) add((p) => `d.direction = ${p}`, c.direction);
  if (c.typeCode) add((p) => `d.type_code = ${p}`, c.typeCode.normalize('NFC'));
  if (c.registerId) add((p) => `r.register_id = ${p}`, c.registerId);
  // Revoked incoming documents are kept for audit but hidden from processing (Phụ lục VI mục III.8).
  if (c.status) add((p) => `d.status = ${p}`, c.status);
  else where.push(`d.status <> 'revoked'`);
  if (c.urgency) add((p) => `COALESCE(d.metadata ->> 'urgency', 'normal') = ${p}`, c.urgency);
  if (c.from) add((p) => `(d.created_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date >= ${p}::date`, c.from);
  if (c.to) add((p) => `(d.created_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date <= ${p}::date`, c.to);
  if (page.after) {
    params.push(page.after.createdAt, page.after.id);
    where.push(`(d.created_at, d.id) < ($${params.length - 1}::timestamptz, $${params.length}::uuid)`);
  }
  params.push(page.limit);
  const { rows } = await tx.query<SummaryRow>(
    `SELECT d.id, d.direction, d.subject, d.type_code, d.metadata ->> 'urgency' AS urgency, d.status,
            r.notation, r.number, r.register_id, r.registered_at, d.created_at,
            to_char(d.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS created_at_exact
       FROM documents d LEFT JOIN registrations r ON r.document_id = d.id
      WHERE ${where.join(' AND ')}
      ORDER BY d.created_at DESC, d.id DESC
      LIMIT $${params.length}`,
    params,
  );
  return rows.map((row) => ({ summary: toSummary(row), key: { createdAt: row.created_at_exact, id: row.id } }));
}

const toSummary = (row: SummaryRow): DocumentSummary => ({
  id: row.id,
  direction: row.direction,
  subject: row.subject,
  typeCode: row.type_code,
  urgency: row.urgency ?? 'normal',
  status: row.status,
  notation: row.notation,
  number: row.number,
  registerId: row.register_id,
  registeredAt: row.registered_at?.toISOString() ?? null,
  createdAt: row.created_at.toISOString(),
});

export async function insertSavedSearch(
  tx: Tx,
  search: { id: string; agencyCode: string; userId: string; name: string; criteria: SearchCriteria },
): Promise<SavedSearch | undefined> {
  const { rows } = await tx.query<{ id: string; name: string; query: SearchCriteria; created_at: Date }>(
    `INSERT INTO saved_searches (id, agency_code, user_id, name, query) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (agency_code, user_id, name) DO NOTHING RETURNING id, name, query, created_at`,
    [search.id, search.agencyCode, search.userId, search.name, JSON.stringify(search.criteria)],
  );
  const row = rows[0];
  return row ? { id: row.id, name: row.name, criteria: row.query, createdAt: row.created_at.toISOString() } : undefined;
}

export async function listSavedSearches(tx: Tx, agencyCode: string, userId: string): Promise<SavedSearch[]> {
  const { rows } = await tx.query<{ id: string; name: string; query: SearchCriteria; created_at: Date }>(
    'SELECT id, name, query, created_at FROM saved_searches WHERE agency_code = $1 AND user_id = $2 ORDER BY name',
    [agencyCode, userId],
  );
  return rows.map((row) => ({
    id: row.id,
    name: row.name,
    criteria: row.query,
    createdAt: row.created_at.toISOString(),
  }));
}

export async function findSavedSearch(
  tx: Tx,
  agencyCode: string,
  userId: string,
  id: string,
): Promise<SavedSearch | undefined> {
  const { rows } = await tx.query<{ id: string; name: string; query: SearchCriteria; created_at: Date }>(
    'SELECT id, name, query, created_at FROM saved_searches WHERE id = $1 AND agency_code = $2 AND user_id = $3',
    [id, agencyCode, userId],
  );
  const row = rows[0];
  return row ? { id: row.id, name: row.name, criteria: row.query, createdAt: row.created_at.toISOString() } : undefined;
}

export type PendingText = {
  id: string;
  version: number;
  sha256: string;
  mediaType: string;
  kind: string;
  sizeBytes: number;
  /** The version before, when its text is the one in the index (the candidate to keep for a signed version). */
  indexedPrevious?: { sha256: string; sizeBytes: number };
};

/** The oldest document whose current version's text is not in the search index yet. */
export async function nextUnindexed(tx: Tx): Promise<PendingText | undefined> {
  const { rows } = await tx.query<{
    id: string;
    version: number;
    sha256: string;
    media_type: string;
    kind: string;
    size_bytes: string;
    previous_sha256: string | null;
    previous_size: string | null;
  }>(
    `SELECT d.id, d.current_version AS version, v.sha256, v.media_type, v.kind, v.size_bytes,
            p.sha256 AS previous_sha256, p.size_bytes AS previous_size
       FROM documents d JOIN document_versions v ON v.document_id = d.id AND v.version = d.current_version
       LEFT JOIN document_versions p ON p.document_id = d.id AND p.version = d.text_version
                                    AND d.text_version = d.current_version - 1
      WHERE d.text_version IS DISTINCT FROM d.current_version
      ORDER BY d.created_at LIMIT 1`,
  );
  const row = rows[0];
  if (!row) return undefined;
  return {
    id: row.id,
    version: row.version,
    sha256: row.sha256,
    mediaType: row.media_type,
    kind: row.kind,
    sizeBytes: Number(row.size_bytes),
    ...(row.previous_sha256 !== null
      ? { indexedPrevious: { sha256: row.previous_sha256, sizeBytes: Number(row.previous_size) } }
      : {}),
  };
}

/** Marks a version indexed with the text already there (its previous version's), if it is still current. */
export async function keepContentText(tx: Tx, id: string, version: number): Promise<boolean> {
  const { rowCount } = await tx.query(
    'UPDATE documents SET text_version = $2 WHERE id = $1 AND current_version = $2 AND text_version = $2 - 1',
    [id, version],
  );
  return rowCount === 1;
}

/** Stores a version's folded text, only if that version is still current (a newer one is indexed next). */
export async function storeContentText(tx: Tx, id: string, version: number, text: string): Promise<void> {
  await tx.query('UPDATE documents SET content_text = $3, text_version = $2 WHERE id = $1 AND current_version = $2', [
    id,
    version,
    text,
  ]);
}
