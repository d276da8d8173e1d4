import type { Tx } from '@vanthu/platform';

/**
 * One projection row written from one event: INSERT the columns the event carries, and on a row already there keep
 * each column's first value (COALESCE), so a replay, a duplicate or events read in another order leave the same row.
 * Columns in `latest` take the event's value instead. `agency_code` is written only by the insert. Table and column
 * names are this service's constants, never input.
 */
export async function upsertFact(
  tx: Tx,
  table: string,
  key: string,
  columns: Record<string, unknown>,
  options: { latest?: string[] } = {},
): Promise<void> {
  const names = Object.keys(columns);
  const updates = names
    .filter((name) => name !== key && name !== 'agency_code')
    .map((name) =>
      options.latest?.includes(name)
        ? `${name} = EXCLUDED.${name}`
        : `${name} = COALESCE(${table}.${name}, EXCLUDED.${name})`,
    );
  await tx.query(
    `INSERT INTO ${table} (${names.join(', ')}) VALUES (${names.map((_, i) => `$${i + 1}`).join(', ')})
     ON CONFLICT (${key}) DO ${updates.length > 0 ? `UPDATE SET ${updates.join(', ')}` : 'NOTHING'}`,
    Object.values(columns),
  );
}
