import type { ExchangeContext } from '../../context';
import { findExchange, findReceivedExchangeOfDocument } from '../../repositories/exchanges-repository';
import { findLeadTaskExchange, insertLeadTask } from '../../repositories/lead-tasks-repository';
import type { StatusCode } from '../edxml/model';
import { queueStatusReply } from './status-replies';

// What happened to a received document here, as the sender must learn it (NĐ 30/2020 Điều 22–24;
// QCVN 102:2016 status codes): driven by documents' and routing's events, never typed by hand.
export type ProcessingEvent =
  | { kind: 'registered'; agencyCode: string; documentId: string; number: number; notation: string }
  | { kind: 'assigned'; agencyCode: string; documentId: string; taskId: string; role: 'lead' | 'cooperate' | 'inform' }
  | { kind: 'task-taken'; agencyCode: string; taskId: string }
  | { kind: 'closed'; agencyCode: string; documentId: string };

export type ReportProcessingStatusInput = { event: ProcessingEvent };

const descriptions: Record<'03' | '04' | '05' | '06', string> = {
  '03': 'Đã tiếp nhận, vào sổ văn bản đến',
  '04': 'Lãnh đạo đã phân công xử lý',
  '05': 'Chuyên viên đang giải quyết',
  '06': 'Hoàn thành xử lý',
};

/** Queues the status the event means for the sender; answers the code queued, or undefined for none. */
export async function reportProcessingStatus(
  input: ReportProcessingStatusInput,
  ctx: ExchangeContext,
): Promise<StatusCode | undefined> {
  const { event } = input;
  const { result } = await ctx.runInTransaction(async (tx) => {
    const at = ctx.clock();
    let exchangeId: string | undefined;
    if (event.kind === 'task-taken') exchangeId = await findLeadTaskExchange(tx, event.taskId);
    const exchange = exchangeId
      ? await findExchange(tx, exchangeId, event.agencyCode)
      : event.kind === 'task-taken'
        ? undefined
        : await findReceivedExchangeOfDocument(tx, event.agencyCode, event.documentId);
    // Only a document that arrived through the hub, and was neither refused nor returned, has a sender to tell.
    if (!exchange || exchange.state !== 'received') return undefined;
    let code: '03' | '04' | '05' | '06';
    let description: string;
    if (event.kind === 'registered') {
      code = '03';
      description = `${descriptions['03']}, số đến ${event.number}`;
    } else if (event.kind === 'assigned') {
      if (event.role === 'lead') await insertLeadTask(tx, { taskId: event.taskId, exchangeId: exchange.id, at });
      code = '04';
      description = descriptions['04'];
    } else if (event.kind === 'task-taken') {
      code = '05';
      description = descriptions['05'];
    } else {
      code = '06';
      description = descriptions['06'];
    }
    return (await queueStatusReply(tx, exchange, code, description, at)) ? code : undefined;
  });
  return result;
}
