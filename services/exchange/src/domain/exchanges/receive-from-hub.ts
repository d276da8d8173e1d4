import { randomUUID } from 'node:crypto';
import { exchangeRecallAnsweredV1, exchangeRecallRequestedV1, exchangeStatusV1 } from '@vanthu/contracts';
import type { ExchangeRecallAnsweredV1, ExchangeRecallRequestedV1, ExchangeStatusV1 } from '@vanthu/contracts';
import { enqueueEvent, vietnamIsoDateTime } from '@vanthu/platform';
import type { Tx } from '@vanthu/platform';
import { eventSource } from '../../config';
import type { ExchangeContext } from '../../context';
import {
  findReceivedExchangeByEdxmlId,
  findSentExchangeByEdxmlId,
  insertExchangeStatus,
  insertReceivedExchange,
} from '../../repositories/exchanges-repository';
import type { ExchangeRow } from '../../repositories/exchanges-repository';
import { enqueueHubJob } from '../../repositories/hub-jobs-repository';
import { EdxmlRefused, hasErrors } from '../edxml/parse-edxml';
import type { ParsedEdxmlFile, SignatureInfo } from '../edxml/parse-edxml';
import type { HubAdapter, HubCredentials, ReceivedItem } from '../../hub/hub-adapter';
import { BlobTooLarge } from '@vanthu/platform';
import type { SpooledBlob } from '@vanthu/platform';
import { checkSignatureTrust } from '../edxml/signature-trust';
import type { SignaturePolicy } from '../edxml/signature-trust';
import { appendToExchangeLog } from './exchange-log';
import { statusFor } from './run-hub-jobs';
import { fetchMessage, withMessageRead } from './stored-message';

export type ReceiveFromHubInput = { agencyCode: string };
export type ReceiveFromHubResult = { documents: number; statuses: number; rejected: number; requests: number };

/**
 * A recall, update or replacement of a document this agency received: shown to the clerk, never
 * applied here (the clerk answers 15 or 16); the original's trail shows the request as 13.
 */
async function recordBusinessRequest(
  tx: Tx,
  request: ExchangeRow,
  original: ExchangeRow,
  parsed: ParsedEdxmlFile,
  ctx: ExchangeContext,
): Promise<void> {
  const business = parsed.kind === 'edoc' ? parsed.document.business : undefined;
  const reason = (business?.businessDocReason ?? '').slice(0, 1000);
  const from = request.counterparts[0]?.organId ?? '';
  const at = request.receivedAt ?? ctx.clock();
  await insertExchangeStatus(tx, {
    exchangeId: original.id,
    direction: 'received',
    organId: from,
    statusCode: '13',
    description: reason || 'Yêu cầu thu hồi, cập nhật hoặc thay thế',
    at,
    transportId: null,
    createdAt: at,
  });
  const data: ExchangeRecallRequestedV1 = {
    exchangeId: request.id,
    relatedExchangeId: original.id,
    agencyCode: request.agencyCode,
    side: 'recipient',
    documentId: original.documentId,
    edxmlDocumentId: request.edxmlDocumentId ?? original.edxmlDocumentId ?? '',
    businessDocType: request.businessDocType as 1 | 2 | 3,
    reason,
    counterparts: [from],
    at: vietnamIsoDateTime(at),
  };
  await enqueueEvent(
    tx,
    exchangeRecallRequestedV1,
    request.id,
    data,
    { source: eventSource, agencyCode: request.agencyCode },
    ctx.topicPrefix,
  );
}

/** What a received signature must satisfy here: the trust store, REQUIRE_SIGNED_MESSAGES, revocation via signing. */
export function signaturePolicy(ctx: ExchangeContext, agencyCode: string, at: Date): SignaturePolicy {
  const { signing, serviceIdentity } = ctx;
  return {
    trust: ctx.trust,
    at,
    requireSigned: ctx.requireSigned ?? false,
    ...(signing && serviceIdentity
      ? {
          revocation: (certificates: Buffer[]) =>
            signing.checkSigner(
              { identity: serviceIdentity(agencyCode), requestId: `receive-${agencyCode}` },
              certificates,
            ),
        }
      : {}),
  };
}

/**
 * Fetches a listed message into the store as it streams. One past the size limit is not taken: the hub is told
 * it failed here (so it is not offered again) and undefined is returned.
 */
async function fetchListed(
  hub: HubAdapter,
  account: HubCredentials,
  item: ReceivedItem,
  ctx: ExchangeContext,
): Promise<SpooledBlob | undefined> {
  try {
    return await fetchMessage(hub, account, item.docId, ctx);
  } catch (error) {
    if (!(error instanceof BlobTooLarge)) throw error;
    ctx.logger.warn({ docId: item.docId, limitBytes: error.limitBytes }, 'message too large; acknowledged as fail');
    await hub.acknowledge(account, item.docId, 'fail');
    return undefined;
  }
}

/**
 * Polls one agency's hub account. A document is stored with its message and logged, then becomes an
 * incoming document through a job (documents may be down); a status is recorded against the
 * exchange it answers. Each message is spooled from the hub into the message store as it streams and parsed
 * from its file, so a large one is never held in memory. Every message is acknowledged to the hub only after it is stored, and a
 * message delivered twice (polled again before the acknowledgement, or pushed) is stored once.
 */
export async function receiveFromHub(input: ReceiveFromHubInput, ctx: ExchangeContext): Promise<ReceiveFromHubResult> {
  const account = ctx.credentialsFor(input.agencyCode);
  const hub = ctx.hub;
  const result = { documents: 0, statuses: 0, rejected: 0, requests: 0 };
  if (!hub || !account) return result;

  for (const item of await hub.listReceived(account, 'status')) {
    const message = await fetchListed(hub, account, item, ctx);
    if (!message) continue;
    await withMessageRead(message.file, ctx, (read) =>
      ctx.runInTransaction(async (tx) => {
        const at = ctx.clock();
        const parsed = read instanceof EdxmlRefused ? undefined : read;
        const exchange =
          parsed?.kind === 'status'
            ? await findSentExchangeByEdxmlId(tx, input.agencyCode, parsed.status.responseFor.documentId)
            : undefined;
        const ack = { docId: item.docId, status: exchange ? 'done' : 'fail' };
        if (!exchange || parsed?.kind !== 'status') {
          ctx.logger.warn({ docId: item.docId }, 'status message for no exchange of this agency; acknowledged as fail');
          await hub.acknowledge(account, item.docId, 'fail');
          return;
        }
        // Signed like the documents it answers: verified over the whole message (parseEdxml), then the
        // signer's chain and revocation; an unsigned or badly signed status is refused, logged, and the hub told.
        await checkSignatureTrust(parsed, signaturePolicy(ctx, input.agencyCode, at));
        if (parsed.signature.revocation === 'unknown') {
          ctx.logger.warn({ docId: item.docId }, 'status signer’s revocation unknown; the status is read again later');
          return;
        }
        const refusal = parsed.problems.filter((p) => p.severity === 'error' && p.rule.startsWith('edxml.signature'));
        if (refusal.length > 0) {
          const reason = refusal.map((p) => `${p.rule}: ${p.message}`).join('; ');
          ctx.logger.warn({ docId: item.docId, exchangeId: exchange.id, reason }, 'status message refused');
          await appendToExchangeLog(tx, {
            exchangeId: exchange.id,
            agencyCode: input.agencyCode,
            direction: 'received',
            messageKind: `status-${parsed.status.statusCode}`,
            hub: hub.name,
            transportId: item.docId,
            edxmlDocumentId: parsed.status.responseFor.documentId,
            messageSha256: message.sha256,
            outcome: `rejected:${refusal.map((p) => p.rule).join(',')}`.slice(0, 200),
            at,
          });
          await enqueueHubJob(tx, {
            id: randomUUID(),
            exchangeId: exchange.id,
            kind: 'acknowledge',
            payload: { docId: item.docId, status: 'fail' },
            at,
          });
          result.rejected += 1;
          return;
        }
        const status = parsed.status;
        const recorded = await insertExchangeStatus(tx, {
          exchangeId: exchange.id,
          direction: 'received',
          organId: status.from.organId,
          statusCode: status.statusCode,
          description: status.description,
          at: new Date(status.timestamp),
          transportId: item.docId,
          createdAt: at,
        });
        if (recorded) {
          result.statuses += 1;
          await appendToExchangeLog(tx, {
            exchangeId: exchange.id,
            agencyCode: input.agencyCode,
            direction: 'received',
            messageKind: `status-${status.statusCode}`,
            hub: hub.name,
            transportId: item.docId,
            edxmlDocumentId: status.responseFor.documentId,
            messageSha256: message.sha256,
            outcome: 'recorded',
            at,
          });
          const data: ExchangeStatusV1 = {
            exchangeId: exchange.id,
            agencyCode: input.agencyCode,
            edxmlDocumentId: status.responseFor.documentId,
            organId: status.from.organId,
            statusCode: status.statusCode,
            description: status.description,
            at: vietnamIsoDateTime(new Date(status.timestamp)),
            direction: 'sent',
          };
          await enqueueEvent(
            tx,
            exchangeStatusV1,
            exchange.id,
            data,
            { source: eventSource, agencyCode: input.agencyCode },
            ctx.topicPrefix,
          );
          if (status.statusCode === '15' || status.statusCode === '16') {
            const answered: ExchangeRecallAnsweredV1 = {
              exchangeId: exchange.id,
              agencyCode: input.agencyCode,
              side: 'sender',
              documentId: exchange.documentId,
              edxmlDocumentId: status.responseFor.documentId,
              organId: status.from.organId,
              statusCode: status.statusCode,
              decision: status.statusCode === '15' ? 'agree' : 'refuse',
              reason: status.description.slice(0, 1000),
              at: vietnamIsoDateTime(new Date(status.timestamp)),
            };
            await enqueueEvent(
              tx,
              exchangeRecallAnsweredV1,
              exchange.id,
              answered,
              { source: eventSource, agencyCode: input.agencyCode },
              ctx.topicPrefix,
            );
          }
        }
        await enqueueHubJob(tx, { id: randomUUID(), exchangeId: exchange.id, kind: 'acknowledge', payload: ack, at });
      }),
    );
  }

  for (const item of await hub.listReceived(account, 'edoc')) {
    const message = await fetchListed(hub, account, item, ctx);
    if (!message) continue;
    await withMessageRead(message.file, ctx, (read) =>
      ctx.runInTransaction(async (tx) => {
        const at = ctx.clock();
        let problems: { rule: string; severity: string; message: string }[] = [];
        let documentId: string | null = null;
        let from = item.from;
        let businessDocType = 0;
        let reference: Parameters<typeof statusFor>[1] | undefined;
        let target: Awaited<ReturnType<typeof findReceivedExchangeByEdxmlId>>;
        let signature: SignatureInfo | undefined;
        let parsedDocument: ParsedEdxmlFile | undefined;
        if (read instanceof EdxmlRefused) {
          problems = [{ rule: read.rule, severity: 'error', message: read.message }];
        } else {
          const parsed = read;
          parsedDocument = parsed;
          // The signature verified over the whole message (parseEdxml), its signer chained to the trust store
          // and not revoked; when no responder can tell, the message waits at the hub for the next poll.
          await checkSignatureTrust(parsed, signaturePolicy(ctx, input.agencyCode, at));
          if (parsed.signature.revocation === 'unknown') {
            ctx.logger.warn({ docId: item.docId }, 'signer’s revocation unknown; the message is read again later');
            return;
          }
          problems = parsed.problems;
          if (parsed.kind === 'edoc') {
            signature = parsed.signature;
            const { header } = parsed.document;
            documentId = header.documentId;
            from = header.from.organId || from;
            businessDocType = parsed.document.business?.businessDocType ?? 0;
            reference = {
              documentId: header.documentId,
              codeNumber: header.code.codeNumber,
              codeNotation: header.code.codeNotation,
              promulgationDate: header.promulgationInfo.promulgationDate,
              from,
            };
            if (businessDocType !== 0) {
              // A recall names the original through ResponseFor (VNPT sample), an update or replacement
              // through Bussiness.DocumentId (a replacement also through ReplacementInfoList); the original
              // must be a document this agency received.
              const candidates = [
                parsed.document.business?.documentId,
                ...(parsed.document.business?.replacements ?? []).map((r) => r.documentId),
                ...header.responseFor.map((r) => r.documentId),
                header.documentId,
              ].filter((id): id is string => Boolean(id));
              for (const candidate of candidates) {
                target = await findReceivedExchangeByEdxmlId(tx, input.agencyCode, candidate);
                if (target) break;
              }
              if (!target) {
                problems.push({
                  rule: 'edxml.business.target',
                  severity: 'error',
                  message: `the ${businessDocType === 1 ? 'recall' : 'update or replacement'} names no document ${input.agencyCode} received`,
                });
              }
            }
            if (!header.to.some((t) => t.organId === input.agencyCode)) {
              problems.push({
                rule: 'edxml.to.recipient',
                severity: 'error',
                message: `not addressed to ${input.agencyCode}`,
              });
            }
          } else {
            problems.push({ rule: 'edxml.kind', severity: 'error', message: 'a status message listed as a document' });
          }
        }
        const rejected = hasErrors(problems as never);
        const exchange = await insertReceivedExchange(tx, {
          id: randomUUID(),
          agencyCode: input.agencyCode,
          hub: hub.name,
          transportId: item.docId,
          message: { sha256: message.sha256, sizeBytes: message.sizeBytes },
          edxmlDocumentId: documentId,
          businessDocType,
          counterparts: [{ organId: from }],
          state: rejected ? 'rejected' : target ? 'awaiting-answer' : 'received',
          problems,
          ...(target && !rejected ? { relatedExchangeId: target.id, documentId: target.documentId } : {}),
          ...(signature ? { signature } : {}),
          ...(rejected
            ? {
                lastError: problems
                  .filter((p) => p.severity === 'error')
                  .map((p) => p.rule)
                  .join(', '),
              }
            : {}),
          at,
        });
        if (!exchange) return; // received before: the acknowledgement job of the first receipt is on its way
        await appendToExchangeLog(tx, {
          exchangeId: exchange.id,
          agencyCode: input.agencyCode,
          direction: 'received',
          messageKind: 'edoc',
          hub: hub.name,
          transportId: item.docId,
          edxmlDocumentId: documentId,
          messageSha256: message.sha256,
          outcome: rejected ? 'rejected' : 'received',
          at,
        });
        await enqueueHubJob(tx, {
          id: randomUUID(),
          exchangeId: exchange.id,
          kind: 'acknowledge',
          payload: { docId: item.docId, status: 'done' },
          at,
        });
        if (rejected) {
          result.rejected += 1;
          // Từ chối tiếp nhận (02) with the rules broken, when the sender can be answered at all.
          if (reference && reference.documentId && reference.promulgationDate) {
            const reason = problems
              .filter((p) => p.severity === 'error')
              .map((p) => `${p.rule}: ${p.message}`)
              .join('; ')
              .slice(0, 1000);
            const status = statusFor(exchange, reference, '02', reason, at);
            await enqueueHubJob(tx, {
              id: randomUUID(),
              exchangeId: exchange.id,
              kind: 'send-status',
              payload: status,
              at,
            });
          }
          return;
        }
        if (target) {
          await recordBusinessRequest(tx, exchange, target, parsedDocument!, ctx);
          result.requests += 1;
          return;
        }
        result.documents += 1;
        await enqueueHubJob(tx, { id: randomUUID(), exchangeId: exchange.id, kind: 'create-document', at });
      }),
    );
  }
  return result;
}
