import type { Tx } from '@vanthu/platform';

export type ImageRow = {
  id: string;
  agencyCode: string;
  owner: string;
  kind: 'signature' | 'seal' | 'initial';
  png: Buffer;
  widthPx: number;
  heightPx: number;
  widthMm: number | null;
};

export async function insertImage(tx: Tx, row: ImageRow & { createdBy: string }): Promise<void> {
  await tx.query(
    `INSERT INTO signature_images (id, agency_code, owner, kind, png, width_px, height_px, width_mm, created_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
    [row.id, row.agencyCode, row.owner, row.kind, row.png, row.widthPx, row.heightPx, row.widthMm, row.createdBy],
  );
}

/** The newest image of `kind` owned by `owner` (a user id, or the agency code for its seal). */
export async function latestImage(
  tx: Tx,
  agencyCode: string,
  owner: string,
  kind: string,
): Promise<ImageRow | undefined> {
  const { rows } = await tx.query<ImageRow>(
    `SELECT id, agency_code AS "agencyCode", owner, kind, png, width_px AS "widthPx", height_px AS "heightPx", width_mm::float AS "widthMm"
       FROM signature_images WHERE agency_code = $1 AND owner = $2 AND kind = $3 ORDER BY created_at DESC LIMIT 1`,
    [agencyCode, owner, kind],
  );
  return rows[0];
}
