import { randomUUID } from 'node:crypto';
import type { Tx } from '@vanthu/platform';
import type { ExchangeRow } from '../../repositories/exchanges-repository';
import { enqueueHubJob, queuedKeys } from '../../repositories/hub-jobs-repository';
import { parseDocumentId } from '../edxml/formats';
import type { StatusCode, StatusMessage } from '../edxml/model';
import { statusFor } from './run-hub-jobs';

// The statuses a recipient sends back about a document it received (QCVN 102:2016 StatusCode;
// docs/domain/requirements.md §3.3): each is queued once per exchange (a job key), and the processing statuses
// only move forward: 03 registered → 04 assigned → 05 being handled → 06 done. An event that arrives
// late (a registration seen after the assignment) queues nothing.

export const processingOrder: StatusCode[] = ['03', '04', '05', '06'];

export const statusKey = (exchangeId: string, code: StatusCode): string => `status:${exchangeId}:${code}`;

/** What ResponseFor names: the received document, read from its DocumentId (checked on receipt). */
export function responseReference(exchange: ExchangeRow) {
  const parts = exchange.edxmlDocumentId ? parseDocumentId(exchange.edxmlDocumentId) : undefined;
  if (!parts) return undefined;
  return {
    documentId: exchange.edxmlDocumentId!,
    codeNumber: parts.codeNumber,
    codeNotation: parts.codeNotation,
    promulgationDate: parts.date,
    from: parts.organId,
  };
}

/** Queues a status to the sender of a received exchange; false when it (or a later one) was queued before. */
export async function queueStatusReply(
  tx: Tx,
  exchange: ExchangeRow,
  statusCode: StatusCode,
  description: string,
  at: Date,
  /** What the status is about, when not the exchange itself (the answer to a replacement names the replaced document). */
  about: ExchangeRow = exchange,
): Promise<boolean> {
  const reference = responseReference(about);
  if (!reference) return false;
  const rank = processingOrder.indexOf(statusCode);
  const blocking = rank < 0 ? [statusCode] : processingOrder.slice(rank);
  const seen = await queuedKeys(
    tx,
    blocking.map((code) => statusKey(exchange.id, code)),
  );
  if (seen.size > 0) return false;
  const status: StatusMessage = statusFor(exchange, reference, statusCode, description.slice(0, 1000), at);
  return enqueueHubJob(tx, {
    id: randomUUID(),
    exchangeId: exchange.id,
    kind: 'send-status',
    payload: status,
    at,
    dedupeKey: statusKey(exchange.id, statusCode),
  });
}
