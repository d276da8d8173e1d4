import { randomUUID } from 'node:crypto';
import type { ExchangeContext } from '../../context';
import {
  insertBusinessExchange,
  listSentExchangesOfDocument,
  markExchangeFailed,
} from '../../repositories/exchanges-repository';
import { cancelPendingHubJobs, enqueueHubJob } from '../../repositories/hub-jobs-repository';
import { buildEdxml } from '../edxml/build-edxml';
import { fromEdxmlTimestamp, edxmlTimestampAt } from '../edxml/formats';
import type { EdxmlDocument } from '../edxml/model';
import { withExchangeMessage } from './stored-message';

export type RecallSentDocumentInput = { agencyCode: string; documentId: string; reason: string };
export type RecallSentDocumentResult = { recalls: number; cancelled: number };

/**
 * The issuer recalled a document it had sent through the hub (thu hồi, NĐ 30/2020 Điều 18.3): every
 * recipient gets a recall (QCVN 102:2016 BussinessDocType 1). As in the public samples, the recall
 * reuses the original MessageHeader with its DocumentId and points at the original through
 * ResponseFor; it carries no attachment. A send still waiting for the hub is given up instead, so a
 * recalled document never leaves afterwards. A redelivered recall event queues nothing more.
 */
export async function recallSentDocument(
  input: RecallSentDocumentInput,
  ctx: ExchangeContext,
): Promise<RecallSentDocumentResult> {
  const { result } = await ctx.runInTransaction(async (tx) => {
    const at = ctx.clock();
    const outcome = { recalls: 0, cancelled: 0 };
    for (const original of await listSentExchangesOfDocument(tx, input.agencyCode, input.documentId)) {
      if (original.state === 'queued') {
        await cancelPendingHubJobs(tx, original.id, at, 'the document was recalled before the hub took it');
        await markExchangeFailed(tx, original.id, 'recalled before it was sent', at);
        outcome.cancelled += 1;
        continue;
      }
      const header = await withExchangeMessage(tx, original.id, ctx, async (parsed) =>
        parsed?.kind === 'edoc' ? parsed.document.header : undefined,
      );
      if (!header) continue;
      const recall: EdxmlDocument = {
        header: {
          ...header,
          responseFor: [
            {
              organId: header.from.organId,
              code: `${header.code.codeNumber}/${header.code.codeNotation}`,
              promulgationDate: header.promulgationInfo.promulgationDate,
              documentId: header.documentId,
            },
          ],
        },
        traceHeaders: [{ organId: input.agencyCode, timestamp: fromEdxmlTimestamp(edxmlTimestampAt(at))! }],
        business: {
          businessDocType: 1,
          businessDocReason: input.reason.slice(0, 1000),
          receivers: [],
          replacements: [],
        },
        attachments: [],
      };
      const stored = await ctx.messages.spoolBytes(buildEdxml(recall, ctx.profile));
      const inserted = await insertBusinessExchange(tx, {
        id: randomUUID(),
        original,
        businessDocType: 1,
        message: stored,
        at,
      });
      if (!inserted) continue;
      await enqueueHubJob(tx, {
        id: randomUUID(),
        exchangeId: inserted.id,
        kind: 'send-edoc',
        at,
        dedupeKey: `recall:${original.id}`,
      });
      outcome.recalls += 1;
    }
    return outcome;
  });
  return result;
}
