import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import { exchangeReceivedV1, exchangeRecallRequestedV1, exchangeSentV1, exchangeStatusV1 } from '@vanthu/contracts';
import type {
  ExchangeReceivedV1,
  ExchangeRecallRequestedV1,
  ExchangeSentV1,
  ExchangeStatusV1,
} from '@vanthu/contracts';
import { AppError, enqueueEvent, vietnamIsoDateTime } from '@vanthu/platform';
import type { Tx } from '@vanthu/platform';
import { eventSource } from '../../config';
import type { ExchangeContext } from '../../context';
import { HubError, outgoingEdxml } from '../../hub/hub-adapter';
import type { SpooledBlob } from '@vanthu/platform';
import {
  findExchange,
  linkReceivedDocument,
  markExchangeFailed,
  markExchangeSent,
  noteExchangeError,
  storeBuiltMessage,
  insertExchangeStatus,
} from '../../repositories/exchanges-repository';
import type { ExchangeRow } from '../../repositories/exchanges-repository';
import {
  beginJobWork,
  claimDueHubJob,
  enqueueHubJob,
  finishHubJob,
  retryHubJobLater,
  undoJobWork,
} from '../../repositories/hub-jobs-repository';
import type { HubJobRow } from '../../repositories/hub-jobs-repository';
import { buildStatusMessage } from '../edxml/build-edxml';
import { writeEdxml } from '../edxml/write-edxml';
import { statusCodes } from '../edxml/model';
import type { StatusCode, StatusMessage } from '../edxml/model';
import type { ParsedEdxmlFile } from '../edxml/parse-edxml';
import { carriedPdfFile } from './carried-pdf';
import { appendToExchangeLog } from './exchange-log';
import { outgoingStreamedMessage } from './outgoing-message';
import { bytesOf, signOutgoing } from './sign-outgoing';
import { storedMessage, withExchangeMessage } from './stored-message';

// The durable queue toward the hubs. Each job is claimed with FOR UPDATE SKIP LOCKED and done in
// one transaction with everything it records (exchange state, log entry, outbox event), so a crash
// halfway rolls it all back and the job runs again; the hub answers a repeated file with the same
// DocId. Network errors, 5xx and an unavailable documents service are retried with exponential
// backoff (1 s doubling to 10 min) for as long as it takes; a hub's business refusal never is.

const maxBackoffMs = 10 * 60_000;
export const backoffMs = (attempts: number): number => Math.min(maxBackoffMs, 1000 * 2 ** Math.min(attempts, 20));

export type RunHubJobsInput = { limit?: number };

class Retry extends Error {}

function credentials(ctx: ExchangeContext, agencyCode: string) {
  const found = ctx.credentialsFor(agencyCode);
  if (!ctx.hub || !found) throw new Retry(`no hub account configured for ${agencyCode}`);
  return { hub: ctx.hub, account: found };
}

function callerFor(ctx: ExchangeContext, agencyCode: string, requestId: string) {
  if (!ctx.serviceIdentity || !ctx.documents) throw new Retry('the documents client is not configured');
  return { documents: ctx.documents, caller: { identity: ctx.serviceIdentity(agencyCode), requestId } };
}

/** A stored file's bytes as a producer, chunk by chunk. */
async function copyFile(file: string, write: (chunk: Buffer) => Promise<void>): Promise<void> {
  for await (const chunk of fs.createReadStream(file, { highWaterMark: 64 * 1024 })) await write(chunk as Buffer);
}

async function sendEdoc(tx: Tx, job: HubJobRow, exchange: ExchangeRow, ctx: ExchangeContext): Promise<void> {
  let message: SpooledBlob | undefined = await storedMessage(tx, exchange.id, ctx);
  if (!message) {
    const { documents, caller } = callerFor(ctx, exchange.agencyCode, `exchange-${exchange.id}`);
    const document = await documents.getDocument(caller, exchange.documentId!);
    const pdf = await documents.streamContent(caller, exchange.documentId!, exchange.documentVersion!);
    const outgoing = outgoingStreamedMessage(document, pdf, {
      recipients: exchange.counterparts,
      createdAt: exchange.createdAt,
    });
    // Written as the PDF streams in, then signed with the agency's seal by the signing service, which checks
    // it against the issued document (sign-outgoing.ts): the message is never held whole.
    const signed = await signOutgoing(
      (write) => writeEdxml(outgoing, ctx.profile, write),
      { documentId: exchange.documentId!, caller },
      ctx,
    );
    message = signed.stored;
    await storeBuiltMessage(tx, exchange.id, {
      stored: signed.stored,
      edxmlDocumentId: outgoing.header.documentId,
      at: ctx.clock(),
      ...(signed.signature ? { signature: signed.signature } : {}),
    });
  } else if (exchange.businessDocType === 1 && !exchange.signature && ctx.signing) {
    // A recall is built when its event arrives and signed here, where an unreachable signing service
    // is retried: signing checks that it names a document this agency issued and recalled.
    const { caller } = callerFor(ctx, exchange.agencyCode, `exchange-${exchange.id}`);
    const unsigned = message.file;
    const signed = await signOutgoing(
      (write) => copyFile(unsigned, write),
      { documentId: exchange.documentId!, caller },
      ctx,
    );
    message = signed.stored;
    await storeBuiltMessage(tx, exchange.id, {
      stored: signed.stored,
      edxmlDocumentId: exchange.edxmlDocumentId!,
      at: ctx.clock(),
      ...(signed.signature ? { signature: signed.signature } : {}),
    });
  }
  const { hub, account } = credentials(ctx, exchange.agencyCode);
  const to = exchange.counterparts.map((c) => c.organId);
  // A hub that says it holds this message already (an earlier send whose answer was lost) delivered it: the
  // exchange is sent, without the hub's id, which only that lost answer carried.
  const answer = await hub.sendEdoc(account, { messageType: 'edoc', to, edxml: await outgoingEdxml(message) });
  const at = ctx.clock();
  const sent = await markExchangeSent(tx, exchange.id, answer.docId, at);
  await appendToExchangeLog(tx, {
    exchangeId: exchange.id,
    agencyCode: exchange.agencyCode,
    direction: 'sent',
    messageKind: 'edoc',
    hub: hub.name,
    transportId: answer.docId,
    edxmlDocumentId: sent.edxmlDocumentId,
    messageSha256: message.sha256,
    outcome: answer.alreadyHeld ? 'already-held' : 'accepted',
    at,
  });
  if (exchange.businessDocType !== 0 && exchange.relatedExchangeId) {
    await recordBusinessSent(tx, exchange, to, at, ctx);
    return;
  }
  const data: ExchangeSentV1 = {
    exchangeId: exchange.id,
    ...(exchange.deliveryId ? { deliveryId: exchange.deliveryId } : {}),
    agencyCode: exchange.agencyCode,
    documentId: exchange.documentId!,
    to: to.map((organId) => ({ organId })),
    hub: hub.name,
    edxmlDocumentId: sent.edxmlDocumentId!,
    sentAt: vietnamIsoDateTime(at),
  };
  await enqueueEvent(
    tx,
    exchangeSentV1,
    exchange.id,
    data,
    { source: eventSource, agencyCode: exchange.agencyCode },
    ctx.topicPrefix,
  );
}

/**
 * A recall (or update, replacement) the hub accepted: the original exchange's trail shows 13 per
 * recipient and the event tells routing and reporting; it is not counted as another document sent.
 */
async function recordBusinessSent(
  tx: Tx,
  exchange: ExchangeRow,
  to: string[],
  at: Date,
  ctx: ExchangeContext,
): Promise<void> {
  const reason = await withExchangeMessage(
    tx,
    exchange.id,
    ctx,
    async (parsed) => (parsed?.kind === 'edoc' ? parsed.document.business?.businessDocReason : undefined) ?? '',
  );
  for (const organId of to) {
    await insertExchangeStatus(tx, {
      exchangeId: exchange.relatedExchangeId!,
      direction: 'sent',
      organId,
      statusCode: '13',
      description: reason || statusCodes['13'],
      at,
      transportId: null,
      createdAt: at,
    });
  }
  const data: ExchangeRecallRequestedV1 = {
    exchangeId: exchange.id,
    relatedExchangeId: exchange.relatedExchangeId!,
    agencyCode: exchange.agencyCode,
    side: 'sender',
    documentId: exchange.documentId,
    edxmlDocumentId: exchange.edxmlDocumentId!,
    businessDocType: exchange.businessDocType as 1 | 2 | 3,
    reason: reason.slice(0, 1000),
    counterparts: to,
    at: vietnamIsoDateTime(at),
  };
  await enqueueEvent(
    tx,
    exchangeRecallRequestedV1,
    exchange.id,
    data,
    { source: eventSource, agencyCode: exchange.agencyCode },
    ctx.topicPrefix,
  );
}

async function sendStatus(tx: Tx, job: HubJobRow, exchange: ExchangeRow, ctx: ExchangeContext): Promise<void> {
  const status = job.payload as unknown as StatusMessage;
  const unsigned = buildStatusMessage(status);
  // Signed with the agency's seal like the documents it answers (statuses follow events: a service asks).
  const caller = ctx.signing
    ? { caller: callerFor(ctx, exchange.agencyCode, `exchange-${exchange.id}-${job.id}`).caller }
    : {};
  const { stored } = await signOutgoing(bytesOf(unsigned), caller, ctx);
  const { hub, account } = credentials(ctx, exchange.agencyCode);
  const answer = await hub.sendEdoc(account, {
    messageType: 'status',
    to: [status.responseFor.organId],
    edxml: await outgoingEdxml(stored),
  });
  const { docId } = answer;
  const at = ctx.clock();
  await insertExchangeStatus(tx, {
    exchangeId: exchange.id,
    direction: 'sent',
    organId: status.from.organId,
    statusCode: status.statusCode,
    description: status.description,
    at: new Date(status.timestamp),
    transportId: docId,
    createdAt: at,
  });
  await appendToExchangeLog(tx, {
    exchangeId: exchange.id,
    agencyCode: exchange.agencyCode,
    direction: 'sent',
    messageKind: `status-${status.statusCode}`,
    hub: hub.name,
    transportId: docId,
    edxmlDocumentId: status.responseFor.documentId,
    messageSha256: stored.sha256,
    outcome: answer.alreadyHeld ? 'already-held' : 'accepted',
    at,
  });
  const data: ExchangeStatusV1 = {
    exchangeId: exchange.id,
    agencyCode: exchange.agencyCode,
    edxmlDocumentId: status.responseFor.documentId,
    organId: status.from.organId,
    statusCode: status.statusCode,
    description: status.description,
    at: vietnamIsoDateTime(new Date(status.timestamp)),
    direction: 'received',
  };
  await enqueueEvent(
    tx,
    exchangeStatusV1,
    exchange.id,
    data,
    { source: eventSource, agencyCode: exchange.agencyCode },
    ctx.topicPrefix,
  );
}

async function acknowledge(job: HubJobRow, exchange: ExchangeRow, ctx: ExchangeContext): Promise<void> {
  const { hub, account } = credentials(ctx, exchange.agencyCode);
  const status = job.payload.status === 'fail' ? 'fail' : 'done';
  await hub.acknowledge(account, String(job.payload.docId ?? exchange.transportId), status);
}

/** The status a receiving agency answers with, addressed to the sender of the received message. */
export function statusFor(
  exchange: ExchangeRow,
  received: { documentId: string; codeNumber: string; codeNotation: string; promulgationDate: string; from: string },
  statusCode: StatusCode,
  description: string,
  at: Date,
): StatusMessage {
  return {
    from: { organId: exchange.agencyCode },
    responseFor: {
      organId: received.from,
      code: `${received.codeNumber}/${received.codeNotation}`,
      promulgationDate: received.promulgationDate,
      documentId: received.documentId,
    },
    statusCode,
    description,
    timestamp: vietnamIsoDateTime(at),
  };
}

async function createIncomingDocument(
  tx: Tx,
  _job: HubJobRow,
  exchange: ExchangeRow,
  ctx: ExchangeContext,
): Promise<void> {
  // Parsed from the message's file, the PDF uploaded from its attachment file as a stream.
  await withExchangeMessage(tx, exchange.id, ctx, async (parsed) => {
    if (!parsed || parsed.kind !== 'edoc')
      throw new AppError('INTERNAL', `exchange ${exchange.id} holds no edXML document`);
    await createFromParsed(tx, exchange, parsed.document, ctx);
  });
}

async function createFromParsed(
  tx: Tx,
  exchange: ExchangeRow,
  document: Extract<ParsedEdxmlFile, { kind: 'edoc' }>['document'],
  ctx: ExchangeContext,
): Promise<void> {
  const { header, traceHeaders } = document;
  const reference = {
    documentId: header.documentId,
    codeNumber: header.code.codeNumber,
    codeNotation: header.code.codeNotation,
    promulgationDate: header.promulgationInfo.promulgationDate,
    from: header.from.organId,
  };
  const at = ctx.clock();
  const carried = carriedPdfFile(document);
  if (!carried) {
    await markExchangeFailed(tx, exchange.id, 'the message carries no PDF', at);
    const status = statusFor(exchange, reference, '02', 'Văn bản không kèm tệp PDF', at);
    await enqueueHubJob(tx, { id: randomUUID(), exchangeId: exchange.id, kind: 'send-status', payload: status, at });
    return;
  }
  const { documents, caller } = callerFor(ctx, exchange.agencyCode, `exchange-${exchange.id}`);
  const priority = header.otherInfo?.priority ?? 0;
  const metadata: Record<string, unknown> = {
    direction: 'incoming',
    subject: header.subject.slice(0, 500),
    urgency: (['normal', 'urgent', 'very-urgent', 'immediate'] as const)[Math.min(priority, 3)],
    sender: {
      organId: header.from.organId,
      ...(header.from.organName ? { organName: header.from.organName.slice(0, 200) } : {}),
    },
    codeNumber: header.code.codeNumber,
    codeNotation: header.code.codeNotation,
    issuedDate: header.promulgationInfo.promulgationDate,
    ...(header.otherInfo?.pageAmount ? { pageAmount: Math.min(header.otherInfo.pageAmount, 999) } : {}),
    ...(header.dueDate ? { dueDate: header.dueDate } : {}),
    ...(header.signerInfo?.fullName
      ? {
          signer: {
            fullName: header.signerInfo.fullName.slice(0, 50),
            ...(header.signerInfo.position ? { position: header.signerInfo.position.slice(0, 100) } : {}),
            // Whole: the parser refuses a Competence over 100 characters, documents' limit too.
            ...(header.signerInfo.competence ? { competence: header.signerInfo.competence } : {}),
          },
        }
      : {}),
    ...(header.toPlaces.length > 0 ? { toPlaces: header.toPlaces.join('; ').slice(0, 1000) } : {}),
    traceHeaderList: JSON.stringify({ traceHeaders, business: document.business ?? null }).slice(0, 100_000),
  };
  const created = await documents.createIncomingDocument(caller, {
    metadata,
    pdf: carried.pdf,
    fileName: carried.fileName,
    idempotencyKey: `exchange-${exchange.id}`,
  });
  const version = created.versions.find((v) => v.version === created.currentVersion) ?? created.versions[0]!;
  await linkReceivedDocument(tx, exchange.id, { documentId: created.id, version: version.version });
  const data: ExchangeReceivedV1 = {
    exchangeId: exchange.id,
    agencyCode: exchange.agencyCode,
    documentId: created.id,
    version: version.version,
    sha256: version.sha256,
    from: { organId: header.from.organId, ...(header.from.organName ? { organName: header.from.organName } : {}) },
    edxmlDocumentId: header.documentId,
    receivedAt: vietnamIsoDateTime(exchange.receivedAt ?? at),
  };
  await enqueueEvent(
    tx,
    exchangeReceivedV1,
    exchange.id,
    data,
    { source: eventSource, agencyCode: exchange.agencyCode },
    ctx.topicPrefix,
  );
  // Đã đến: the hub does not send 01 for us (QCVN 102:2016 status codes).
  const arrived = statusFor(exchange, reference, '01', 'Đã đến', at);
  await enqueueHubJob(tx, { id: randomUUID(), exchangeId: exchange.id, kind: 'send-status', payload: arrived, at });
}

/** Runs due hub jobs one transaction each; returns how many were attempted. */
export async function runHubJobs(input: RunHubJobsInput, ctx: ExchangeContext): Promise<number> {
  const limit = input.limit ?? 50;
  let attempted = 0;
  while (attempted < limit) {
    const { result: ran } = await ctx.runInTransaction(async (tx) => {
      const now = ctx.clock();
      const job = await claimDueHubJob(tx, now);
      if (!job) return false;
      const exchange = await findExchange(tx, job.exchangeId);
      if (!exchange) {
        await finishHubJob(tx, job.id, 'failed', now, 'exchange not found');
        return true;
      }
      await beginJobWork(tx);
      try {
        if (job.kind === 'send-edoc') await sendEdoc(tx, job, exchange, ctx);
        else if (job.kind === 'send-status') await sendStatus(tx, job, exchange, ctx);
        else if (job.kind === 'acknowledge') await acknowledge(job, exchange, ctx);
        else await createIncomingDocument(tx, job, exchange, ctx);
        await finishHubJob(tx, job.id, 'done', ctx.clock());
      } catch (error) {
        // Whatever the job wrote before failing is undone; only the outcome below is kept.
        await undoJobWork(tx);
        const message = (error as Error).message.slice(0, 1000);
        const businessRefusal = error instanceof HubError && !error.retriable;
        const permanent =
          businessRefusal ||
          (error instanceof AppError &&
            ['VALIDATION_FAILED', 'UNAUTHENTICATED', 'CONFLICT', 'UNPROCESSABLE', 'NOT_FOUND'].includes(error.code));
        if (permanent) {
          await finishHubJob(tx, job.id, 'failed', now, message);
          if (job.kind === 'send-edoc') {
            await markExchangeFailed(tx, exchange.id, message, now);
            await appendToExchangeLog(tx, {
              exchangeId: exchange.id,
              agencyCode: exchange.agencyCode,
              direction: 'sent',
              messageKind: 'edoc',
              hub: ctx.hub?.name ?? ctx.hubName,
              transportId: null,
              edxmlDocumentId: exchange.edxmlDocumentId,
              messageSha256: exchange.edxmlSha256 ?? '0'.repeat(64),
              outcome: error instanceof HubError ? `refused:${error.code}` : `refused:${(error as AppError).code}`,
              at: now,
            });
          }
        } else {
          const next = new Date(now.getTime() + backoffMs(job.attempts));
          await retryHubJobLater(tx, job.id, next, message);
          await noteExchangeError(tx, exchange.id, message, now);
          ctx.logger.warn(
            { jobId: job.id, kind: job.kind, attempts: job.attempts + 1, next },
            `hub job will be retried: ${message}`,
          );
        }
      }
      return true;
    });
    if (!ran) break;
    attempted += 1;
  }
  return attempted;
}
