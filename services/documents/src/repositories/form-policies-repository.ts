import type { Tx } from '@vanthu/platform';

export type DeliveryForm = 'electronic' | 'electronic-and-paper' | 'paper';

/** The agency's own form for one type, when it set one. */
export async function findForm(tx: Tx, agencyCode: string, typeCode: string): Promise<DeliveryForm | undefined> {
  const { rows } = await tx.query<{ form: DeliveryForm }>(
    'SELECT form FROM form_policies WHERE agency_code = $1 AND type_code = $2',
    [agencyCode, typeCode],
  );
  return rows[0]?.form;
}

/** Every form the agency set, by type code. */
export async function listForms(tx: Tx, agencyCode: string): Promise<Map<string, DeliveryForm>> {
  const { rows } = await tx.query<{ type_code: string; form: DeliveryForm }>(
    'SELECT type_code, form FROM form_policies WHERE agency_code = $1',
    [agencyCode],
  );
  return new Map(rows.map((row) => [row.type_code, row.form]));
}

export async function upsertForms(
  tx: Tx,
  agencyCode: string,
  entries: { typeCode: string; form: DeliveryForm }[],
  updatedBy: string,
): Promise<void> {
  for (const entry of entries) {
    await tx.query(
      `INSERT INTO form_policies (agency_code, type_code, form, updated_by) VALUES ($1, $2, $3, $4)
       ON CONFLICT (agency_code, type_code) DO UPDATE SET form = EXCLUDED.form, updated_by = EXCLUDED.updated_by, updated_at = now()`,
      [agencyCode, entry.typeCode, entry.form, updatedBy],
    );
  }
}
