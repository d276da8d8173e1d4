import type { Tx } from '@vanthu/platform';

export async function insertCopy(
  tx: Tx,
  copy: {
    documentId: string;
    agencyCode: string;
    sourceDocumentId: string | null;
    sourceVersion: number | null;
    sourceDescription: string | null;
    kind: string;
    year: number;
    number: number;
    notation: string;
    createdBy: string;
  },
): Promise<void> {
  await tx.query(
    `INSERT INTO copies (document_id, agency_code, source_document_id, source_version, source_description, kind, year, number, notation, created_by)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
    [
      copy.documentId,
      copy.agencyCode,
      copy.sourceDocumentId,
      copy.sourceVersion,
      copy.sourceDescription,
      copy.kind,
      copy.year,
      copy.number,
      copy.notation,
      copy.createdBy,
    ],
  );
}
