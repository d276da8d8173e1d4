import { enqueueEvent, withTransaction } from '@vanthu/platform';
import { dossierHandoverDueV1 } from '@vanthu/contracts';
import type { DossierHandoverDueV1 } from '@vanthu/contracts';
import { claimDueHandovers, markHandoverReminded } from '../repositories/dossiers-repository';
import type { DocumentsServices } from '../context';
import { buildFileCode, vietnamIsoDate } from '../rules/numbering';

/**
 * Announces, once each, the closed dossiers whose hand-over to the agency archive falls due
 * within 30 days (Phụ lục VI mục III.5). Rows are claimed with SKIP LOCKED so several service
 * instances never announce one dossier twice; the event and the mark commit together.
 */
export async function remindHandovers(
  input: { now?: Date },
  deps: Pick<DocumentsServices, 'pool' | 'topicPrefix' | 'source'>,
): Promise<number> {
  const now = input.now ?? new Date();
  return withTransaction(deps.pool, async (tx) => {
    const rows = await claimDueHandovers(tx, vietnamIsoDate(now));
    for (const row of rows) {
      const event: DossierHandoverDueV1 = {
        dossierId: row.id,
        agencyCode: row.agencyCode,
        fileCode: buildFileCode(row.agencyCode, row.year, row.fileNotation),
        title: row.title,
        handoverDue: row.handoverDue,
        remindedAt: now.toISOString(),
      };
      await enqueueEvent(
        tx,
        dossierHandoverDueV1,
        row.id,
        event,
        { source: deps.source, agencyCode: row.agencyCode },
        deps.topicPrefix,
      );
      await markHandoverReminded(tx, row.id, now);
    }
    return rows.length;
  });
}
