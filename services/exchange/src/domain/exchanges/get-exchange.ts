import { AppError, withTransaction } from '@vanthu/platform';
import type { Identity, Pool } from '@vanthu/platform';
import { findExchange, listExchangeStatuses, listExchanges } from '../../repositories/exchanges-repository';
import type { ExchangeDirection, ExchangeRow, ExchangeStatusRow } from '../../repositories/exchanges-repository';
import { listLogEntries } from '../../repositories/exchange-log-repository';
import type { ExchangeLogEntry } from '../../repositories/exchange-log-repository';
import type { SignatureInfo } from '../edxml/parse-edxml';

export type ReadContext = { identity: Identity; pool: Pool };

export type ExchangeView = ReturnType<typeof exchangeView>;

export function exchangeView(row: ExchangeRow) {
  return {
    id: row.id,
    direction: row.direction,
    agencyCode: row.agencyCode,
    deliveryId: row.deliveryId,
    documentId: row.documentId,
    documentVersion: row.documentVersion,
    hub: row.hub,
    edxmlDocumentId: row.edxmlDocumentId,
    businessDocType: row.businessDocType,
    counterparts: row.counterparts,
    state: row.state,
    transportId: row.transportId,
    edxmlSha256: row.edxmlSha256,
    problems: row.problems,
    lastError: row.lastError,
    createdAt: row.createdAt.toISOString(),
    sentAt: row.sentAt?.toISOString() ?? null,
    receivedAt: row.receivedAt?.toISOString() ?? null,
    relatedExchangeId: row.relatedExchangeId,
    answer: row.answer,
    // Written from a SignatureInfo on receipt or sending (receive-from-hub, sign-outgoing).
    signature: row.signature as SignatureInfo | null,
  };
}

const statusView = (row: ExchangeStatusRow) => ({
  direction: row.direction,
  organId: row.organId,
  statusCode: row.statusCode,
  description: row.description,
  at: row.at.toISOString(),
  transportId: row.transportId,
});

const logView = (entry: ExchangeLogEntry) => ({ ...entry, at: entry.at.toISOString() });

export async function listAgencyExchanges(
  input: { direction?: ExchangeDirection; limit?: number; before?: string },
  ctx: ReadContext,
) {
  return withTransaction(ctx.pool, async (tx) => {
    const rows = await listExchanges(tx, {
      agencyCode: ctx.identity.agencyCode,
      ...(input.direction ? { direction: input.direction } : {}),
      limit: input.limit ?? 50,
      ...(input.before ? { before: new Date(input.before) } : {}),
    });
    return { items: rows.map(exchangeView) };
  });
}

/** One exchange of the caller's agency with its whole status trail and its log entries. */
export async function getExchange(input: { exchangeId: string }, ctx: ReadContext) {
  return withTransaction(ctx.pool, async (tx) => {
    const row = await findExchange(tx, input.exchangeId, ctx.identity.agencyCode);
    if (!row) throw new AppError('NOT_FOUND', `no exchange ${input.exchangeId} for this agency`);
    const statuses = await listExchangeStatuses(tx, row.id);
    const latest = new Map<string, ReturnType<typeof statusView>>();
    for (const status of statuses) latest.set(status.organId, statusView(status));
    const log = await listLogEntries(tx, { exchangeId: row.id, limit: 1000 });
    return {
      ...exchangeView(row),
      statuses: statuses.map(statusView),
      latestStatusByOrgan: [...latest.values()],
      log: log.map(logView),
    };
  });
}
