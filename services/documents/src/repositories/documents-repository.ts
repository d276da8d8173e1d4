import { outboxColumns, outboxRowValues } from '@vanthu/platform';
import type { CloudEvent, Tx } from '@vanthu/platform';
import type { EventDefinition } from '@vanthu/contracts';
import { buildFileCode, formatNumber } from '../rules/numbering';
import type { NumberedText } from '../rules/numbering';
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

const documentColumns =
  'id, agency_code, direction, subject, type_code, metadata, status, recall, current_version, created_by, created_at, updated_at';
const versionColumns = 'version, sha256, media_type, size_bytes, file_name, kind, created_by, created_at';

export type NewVersion = {
  sha256: string;
  mediaType: string;
  sizeBytes: number;
  fileName: string | null;
  kind: string;
};

/**
 * Inserts a new document with its first versions (1, 2, …; the last is current) and returns the aggregate
 * from what the inserts returned: not registered, in no dossier.
 */
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
    versions: NewVersion[];
  },
): Promise<Document> {
  const { rows } = await tx.query<DocumentRow>(
    `INSERT INTO documents (id, agency_code, direction, subject, type_code, metadata, search_text, current_version, created_by)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING ${documentColumns}`,
    [
      document.id,
      document.agencyCode,
      document.direction,
      document.subject,
      document.typeCode,
      JSON.stringify(document.metadata),
      document.searchText,
      document.versions.length,
      document.createdBy,
    ],
  );
  const versions: VersionRow[] = [];
  for (const [index, version] of document.versions.entries()) {
    versions.push(
      await insertVersion(tx, {
        documentId: document.id,
        version: index + 1,
        ...version,
        createdBy: document.createdBy,
      }),
    );
  }
  return toDocument(rows[0] as DocumentRow, versions, []);
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
): Promise<VersionRow> {
  const { rows } = await tx.query<VersionRow>(
    `INSERT INTO document_versions (document_id, version, sha256, media_type, size_bytes, file_name, kind, created_by)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING ${versionColumns}`,
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
  return rows[0] as VersionRow;
}

export type LockedDocument = {
  currentVersion: number;
  status: string;
  direction: Document['direction'];
  typeCode: string | null;
  metadata: Record<string, unknown>;
  subject: string;
  /** The số/ký hiệu once registered. */
  notation: string | null;
  /** The aggregate as it stands before the change. */
  document: Document;
  /** The row's `updated_at` to the microsecond, as text: every change of the aggregate's row moves it. */
  rowVersion: string;
};

/** Locks the document row for the rest of the transaction and returns it, with what state changes need. */
export async function lockDocument(tx: Tx, agencyCode: string, id: string): Promise<LockedDocument | undefined> {
  const found = await selectAggregate(tx, agencyCode, id, true);
  return found && lockedOf(found.row, found.document);
}

/**
 * The documents as `lockDocument` returns them, without the lock, in one statement: for a change that checks, when it
 * writes, that each row is still the one it read (`rowVersion`), as `insertRegistrationsWithNextNumbers` does. A
 * document of another agency, or none, is missing from the map.
 */
export async function readDocumentStates(
  tx: Tx,
  agencyCode: string,
  ids: readonly string[],
): Promise<Map<string, LockedDocument>> {
  const { rows } = await tx.query<AggregateRow>({
    name: 'documents.aggregates',
    text: `${aggregateSelect} WHERE d.id = ANY($1::uuid[]) AND d.agency_code = $2`,
    values: [ids, agencyCode],
  });
  return new Map(rows.map((row) => [row.id, lockedOf(row, aggregateOf(row))]));
}

function lockedOf(row: AggregateRow, document: Document): LockedDocument {
  return {
    currentVersion: row.current_version,
    status: row.status,
    direction: row.direction,
    typeCode: row.type_code,
    metadata: row.metadata,
    subject: row.subject,
    notation: row.notation,
    document,
    rowVersion: row.row_version,
  };
}

/** A metadata correction: the subject, the type when given, the changed fields merged in, the new search text. */
export async function updateMetadata(
  tx: Tx,
  before: LockedDocument,
  change: { subject: string; typeCode: string | null; fields: Record<string, unknown>; searchText: string },
): Promise<Document> {
  const { rows } = await tx.query<DocumentRow>(
    `UPDATE documents SET subject = $2, type_code = COALESCE($3, type_code), metadata = metadata || $4::jsonb, search_text = $5, updated_at = now()
      WHERE id = $1 RETURNING ${documentColumns}`,
    [before.document.id, change.subject, change.typeCode, JSON.stringify(change.fields), change.searchText],
  );
  return withRow(before.document, rows[0] as DocumentRow);
}

/** Moves the locked document to a status (and records a recall); returns the changed aggregate. */
export async function setStatus(
  tx: Tx,
  before: LockedDocument,
  status: string,
  extra: { recall?: Recall } = {},
): Promise<Document> {
  const { rows } = await tx.query<DocumentRow>(
    `UPDATE documents SET status = $2, recall = COALESCE($3, recall), updated_at = now() WHERE id = $1 RETURNING ${documentColumns}`,
    [before.document.id, status, extra.recall ? JSON.stringify(extra.recall) : null],
  );
  return withRow(before.document, rows[0] as DocumentRow);
}

/** The series a registration takes its number from (one gap-free series per register-year, NĐ 30/2020 Điều 15.1). */
export type RegistrationSeries = {
  /** The counter of the series. */
  seriesKey: string;
  agencyCode: string;
  registerId: string;
  registerName: string;
  direction: string;
  year: number;
};

/** What a registration writes once its number is known; the texts that contain the số travel unfilled. */
export type NewRegistration = {
  /** The document as read before: it is registered only if its row is still that one (`rowVersion`) and a draft. */
  before: LockedDocument;
  notation: NumberedText;
  documentIdentifier: NumberedText;
  registeredAt: Date;
  registeredBy: string;
  /** Merged into the document's metadata, with the number under `numberFields` once it is known. */
  metadata: Record<string, unknown>;
  numberFields: { formatted?: string; integer?: string };
  typeCode: string | null;
  /** Appended to the document's search text. */
  searchText: NumberedText;
  /** The event announcing the registration; `number`, `notation` and `documentIdentifier` of its data are filled. */
  event: { definition: EventDefinition; value: CloudEvent; topicPrefix: string };
};

/**
 * What became of one registration of `insertRegistrationsWithNextNumbers`: registered; or its số/ký hiệu exists this
 * year (nothing of the statement may commit: see there); or not taken, because its document changed or stopped being
 * a draft since it was read.
 */
export type RegistrationWritten = { document: Document } | { duplicateNotation: string } | { changed: true };

// The registrations of one series, in the order given, each one row of the JSON array $7. The documents are locked
// and kept only when still the row that was read (`updated_at`, exact to the microsecond) and a draft; those take
// the next numbers of the series with one step of its counter, so however many a statement registers, the counter
// row is locked once and the numbers are consecutive in the order given. The số is written as formatNumber writes it
// (Phụ lục I.II.3.c: a leading 0 below 10; a test compares the two). A named (prepared) statement: PostgreSQL parses
// and plans it once per connection instead of on every registration.
const registrationStatement = `WITH member AS (
       SELECT * FROM jsonb_to_recordset($7::jsonb) AS m(
         ordinal int, document_id uuid, row_version timestamptz, notation text[], document_identifier text[],
         search_text text[], registered_at timestamptz, registered_by text, type_code text, metadata jsonb,
         formatted_field text, integer_field text, event_id uuid, topic text, message_key text, event_type text,
         source text, subject text, occurred_at timestamptz, event_data text, extensions text)),
     locked AS (
       SELECT d.id FROM documents d JOIN member m ON m.document_id = d.id
        WHERE d.agency_code = $3 AND d.status = 'draft' AND d.updated_at = m.row_version
          FOR UPDATE OF d),
     taken AS (
       SELECT m.*, row_number() OVER (ORDER BY m.ordinal) AS position, count(*) OVER () AS taken_count
         FROM member m JOIN locked l ON l.id = m.document_id),
     counter AS (
       INSERT INTO number_counters (series_key, year, last_number) SELECT $1, $2, count(*) FROM locked HAVING count(*) > 0
       ON CONFLICT (series_key, year) DO UPDATE SET last_number = number_counters.last_number + EXCLUDED.last_number
       RETURNING last_number),
     numbered AS (
       SELECT t.*, n.number, CASE WHEN n.number < 10 THEN '0' || n.number ELSE n.number::text END AS number_text
         FROM taken t CROSS JOIN counter c
         CROSS JOIN LATERAL (SELECT (c.last_number - t.taken_count + t.position)::int AS number) n),
     filled AS (
       SELECT b.*, array_to_string(b.notation, b.number_text) AS notation_text,
              array_to_string(b.document_identifier, b.number_text) AS identifier_text,
              array_to_string(b.search_text, b.number_text) AS search_addition
         FROM numbered b),
     registration AS (
       INSERT INTO registrations (document_id, agency_code, register_id, direction, year, number, notation, document_identifier, registered_at, registered_by)
       SELECT f.document_id, $3, $4, $5, $2, f.number, f.notation_text, f.identifier_text, f.registered_at, f.registered_by
         FROM filled f
       ON CONFLICT DO NOTHING RETURNING *),
     registered AS (
       UPDATE documents d
          SET status = 'registered', type_code = f.type_code, updated_at = now(),
              metadata = d.metadata || f.metadata
                || CASE WHEN f.formatted_field IS NULL THEN '{}'::jsonb ELSE jsonb_build_object(f.formatted_field, f.number_text) END
                || CASE WHEN f.integer_field IS NULL THEN '{}'::jsonb ELSE jsonb_build_object(f.integer_field, f.number) END,
              search_text = d.search_text || ' ' || f.search_addition
         FROM registration r JOIN filled f ON f.document_id = r.document_id WHERE d.id = r.document_id
       RETURNING ${documentColumns
         .split(', ')
         .map((column) => `d.${column}`)
         .join(', ')}),
     announced AS (
       INSERT INTO outbox (${outboxColumns})
       SELECT f.event_id, f.topic, f.message_key, f.event_type, f.source, f.subject, f.occurred_at,
              f.event_data::jsonb || jsonb_build_object('number', f.number, 'notation', f.notation_text, 'documentIdentifier', f.identifier_text),
              f.extensions::jsonb
         FROM filled f JOIN registered d ON d.id = f.document_id)
     SELECT f.ordinal, d.*, r.register_id, $6::text AS register_name, r.year, r.number, r.notation, r.document_identifier,
            r.registered_at, r.registered_by, f.notation_text AS taken_notation
       FROM filled f LEFT JOIN registration r ON r.document_id = f.document_id LEFT JOIN registered d ON d.id = f.document_id`;

/**
 * Takes the next numbers of the series and, in the same statement, records the registrations, registers the
 * documents and writes each one's event into the outbox; returns what became of each registration, in the order
 * given (see `RegistrationWritten`). The counter's row stays locked until the transaction ends, so the caller
 * commits right after. When a số/ký hiệu already exists that year (NĐ 30/2020 Điều 15.1) that one is not registered
 * but the numbers were taken: the caller must fail its transaction so that no number is burnt.
 */
export async function insertRegistrationsWithNextNumbers(
  tx: Tx,
  series: RegistrationSeries,
  registrations: readonly NewRegistration[],
): Promise<RegistrationWritten[]> {
  const members = registrations.map((registration, ordinal) => {
    const { before, event } = registration;
    const [eventId, topic, messageKey, eventType, source, subject, occurredAt, eventData, extensions] = outboxRowValues(
      event.definition,
      before.document.id,
      event.value,
      event.topicPrefix,
    );
    return {
      ordinal,
      document_id: before.document.id,
      row_version: before.rowVersion,
      notation: registration.notation,
      document_identifier: registration.documentIdentifier,
      search_text: registration.searchText,
      registered_at: registration.registeredAt.toISOString(),
      registered_by: registration.registeredBy,
      type_code: registration.typeCode,
      metadata: registration.metadata,
      formatted_field: registration.numberFields.formatted ?? null,
      integer_field: registration.numberFields.integer ?? null,
      event_id: eventId,
      topic,
      message_key: messageKey,
      event_type: eventType,
      source,
      subject,
      occurred_at: occurredAt,
      event_data: eventData,
      extensions,
    };
  });
  const { rows } = await tx.query<DocumentRow & RegistrationColumns & { ordinal: number; taken_notation: string }>({
    name: 'documents.register-with-next-numbers',
    text: registrationStatement,
    values: [
      series.seriesKey,
      series.year,
      series.agencyCode,
      series.registerId,
      series.direction,
      series.registerName,
      JSON.stringify(members),
    ],
  });
  const written: RegistrationWritten[] = registrations.map(() => ({ changed: true }));
  for (const row of rows) {
    const before = registrations[row.ordinal]?.before;
    if (!before) throw new Error(`registration ${row.ordinal} was not asked for`);
    // Not inserted: its số/ký hiệu exists this year (the counter's step rolls back with the caller's transaction,
    // which must not commit).
    if (row.register_id === null) written[row.ordinal] = { duplicateNotation: row.taken_notation };
    else if (!row.id) throw new Error(`document ${before.document.id} vanished while being registered`);
    else written[row.ordinal] = { document: withRow(before.document, row) };
  }
  return written;
}

/**
 * The aggregate after a change to its row: the new row (and registration, when the statement returned one), with
 * the versions and dossiers it had.
 */
function withRow(before: Document, row: DocumentRow & Partial<RegistrationColumns>): Document {
  const changed = toDocument(row, [], []);
  return {
    ...changed,
    registration: row.register_id === undefined ? before.registration : changed.registration,
    versions: before.versions,
    dossiers: before.dossiers,
  };
}

/** Stores the next version of the locked document and makes it current; returns the changed aggregate. */
export async function addVersion(
  tx: Tx,
  before: LockedDocument,
  version: NewVersion & { version: number; createdBy: string },
): Promise<Document> {
  const added = await insertVersion(tx, { documentId: before.document.id, ...version });
  const { rows } = await tx.query<DocumentRow>(
    `UPDATE documents SET current_version = $2, updated_at = now() WHERE id = $1 RETURNING ${documentColumns}`,
    [before.document.id, version.version],
  );
  const document = withRow(before.document, rows[0] as DocumentRow);
  return { ...document, versions: [...document.versions, toVersion(added)] };
}

/** Scoped to the agency: another agency's document is indistinguishable from a missing one. */
export async function findDocument(tx: Tx, agencyCode: string, id: string): Promise<Document | undefined> {
  return (await selectAggregate(tx, agencyCode, id, false))?.document;
}

// The whole aggregate in one statement: the row, its registration, and its versions and dossiers as JSON arrays.
// Run as a named statement (below): planning it took about three quarters of PostgreSQL's CPU for each read.
const aggregateSelect = `SELECT d.*, d.updated_at::text AS row_version, r.register_id, g.name AS register_name, r.year, r.number, r.notation, r.document_identifier,
        r.registered_at, r.registered_by,
        COALESCE((SELECT json_agg(json_build_object('version', v.version, 'sha256', v.sha256, 'media_type', v.media_type,
                    'size_bytes', v.size_bytes, 'file_name', v.file_name, 'kind', v.kind, 'created_by', v.created_by,
                    'created_at', v.created_at) ORDER BY v.version)
                    FROM document_versions v WHERE v.document_id = d.id), '[]') AS versions_json,
        COALESCE((SELECT json_agg(json_build_object('dossier_id', x.dossier_id, 'agency_code', o.agency_code, 'year', o.year,
                    'file_notation', o.file_notation, 'ordinal', x.ordinal) ORDER BY x.added_at, x.dossier_id)
                    FROM dossier_documents x JOIN dossiers o ON o.id = x.dossier_id WHERE x.document_id = d.id), '[]') AS filings_json
   FROM documents d
   LEFT JOIN registrations r ON r.document_id = d.id
   LEFT JOIN registers g ON g.id = r.register_id`;
const aggregateQuery = `${aggregateSelect} WHERE d.id = $1 AND d.agency_code = $2`;

const lockedAggregateQuery = `${aggregateQuery} FOR UPDATE OF d`;

type AggregateRow = DocumentRow &
  RegistrationColumns & {
    row_version: string;
    versions_json: (Omit<VersionRow, 'created_at'> & { created_at: string })[];
    filings_json: FilingRow[];
  };

async function selectAggregate(
  tx: Tx,
  agencyCode: string,
  id: string,
  lock: boolean,
): Promise<{ row: AggregateRow; document: Document } | undefined> {
  const { rows } = await tx.query<AggregateRow>(
    lock
      ? { name: 'documents.aggregate-for-update', text: lockedAggregateQuery, values: [id, agencyCode] }
      : { name: 'documents.aggregate', text: aggregateQuery, values: [id, agencyCode] },
  );
  const row = rows[0];
  return row ? { row, document: aggregateOf(row) } : undefined;
}

function aggregateOf(row: AggregateRow): Document {
  const versions = row.versions_json.map((v) => ({ ...v, created_at: new Date(v.created_at) }));
  return toDocument(row, versions, row.filings_json);
}

type FilingRow = { dossier_id: string; agency_code: string; year: number; file_notation: string; ordinal: number };

/**
 * The one mapper of the document aggregate: the row, its registration (columns of the join, all null when
 * unregistered), its versions and the dossiers it is filed in.
 */
function toDocument(
  row: DocumentRow & Partial<RegistrationColumns>,
  versions: VersionRow[],
  filings: FilingRow[],
): Document {
  const { urgency, description, ...rest } = row.metadata;
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
    dossiers: filings.map((f) => ({
      dossierId: f.dossier_id,
      fileCode: buildFileCode(f.agency_code, f.year, f.file_notation),
      ordinal: f.ordinal,
    })),
    currentVersion: row.current_version,
    versions: versions.map(toVersion),
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

function toRegistration(row: Partial<RegistrationColumns>): Registration | null {
  if (!row.register_id || !row.number || !row.year || !row.registered_at) return null;
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
