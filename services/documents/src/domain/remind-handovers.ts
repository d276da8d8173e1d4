import { enqueueEvent, withTransaction } from '@vanthu/platform';
import type { Pool } from '@vanthu/platform';
import { dossierHandoverDueV1 } from '@vanthu/contracts';
import type { DossierHandoverDueV1 } from '@vanthu/contracts';
import { buildFileCode, vietnamIsoDate } from './numbering';

/**
 * Announces, once each, the closed dossiers whose hand-over to the agency archive falls due
 * within 30 days (Phụ lục VI mục III.5). Rows are claimed with SKIP LOCKED so several service
 * instances never announce one dossier twice; the event and the mark commit together.
 */
export async function remindHandovers(deps: {
  pool: Pool;
  topicPrefix: string;
  source: string;
  now?: Date;
}): Promise<number> {
  const now = deps.now ?? new Date();
  return withTransaction(deps.pool, async (tx) => {
    const { rows } = await tx.query<{
      id: string;
      agency_code: string;
      year: number;
      file_notation: string;
      title: string;
      handover_due: string;
    }>(
      `SELECT id, agency_code, year, file_notation, title, to_char(handover_due, 'YYYY-MM-DD') AS handover_due
         FROM dossiers
        WHERE status = 'closed' AND handover_reminded_at IS NULL AND handover_due - 30 <= $1::date
        ORDER BY handover_due LIMIT 500 FOR UPDATE SKIP LOCKED`,
      [vietnamIsoDate(now)],
    );
    for (const row of rows) {
      const event: DossierHandoverDueV1 = {
        dossierId: row.id,
        agencyCode: row.agency_code,
        fileCode: buildFileCode(row.agency_code, row.year, row.file_notation),
        title: row.title,
        handoverDue: row.handover_due,
        remindedAt: now.toISOString(),
      };
      await enqueueEvent(
        tx,
        dossierHandoverDueV1,
        row.id,
        event,
        { source: deps.source, agencyCode: row.agency_code },
        deps.topicPrefix,
      );
      await tx.query('UPDATE dossiers SET handover_reminded_at = $2 WHERE id = $1', [row.id, now]);
    }
    return rows.length;
  });
}
