import { randomUUID } from 'node:crypto';
import { AppError, requireRole } from '@vanthu/platform';
import type { Mutation } from '@vanthu/platform';
import type { DocumentInfo } from '../../clients/documents-client';
import type { ClerkContext } from '../../context';
import { insertBusinessExchange, listSentExchangesOfDocument } from '../../repositories/exchanges-repository';
import { enqueueHubJob } from '../../repositories/hub-jobs-repository';
import { writeEdxml } from '../edxml/write-edxml';
import { exchangeView } from './get-exchange';
import type { ExchangeView } from './get-exchange';
import { outgoingStreamedMessage } from './outgoing-message';
import { signOutgoing } from './sign-outgoing';

type Sent = { items: ExchangeView[] };

function checkReason(reason: string): string {
  const text = reason.normalize('NFC').trim();
  if (text.length === 0 || [...text].length > 1000) {
    throw new AppError('VALIDATION_FAILED', 'an update or replacement needs a reason of 1 to 1,000 characters', {
      errors: [{ field: 'body.reason', message: 'required, at most 1,000 characters' }],
    });
  }
  return text;
}

type CurrentPdf = () => Promise<AsyncIterable<Uint8Array>>;

/**
 * The issued document, read in the caller's name (another agency's document is not found), and its current PDF as
 * a stream read from documents as the message is written: one read per message, so that no PDF is ever held.
 */
async function issuedDocument(
  ctx: ClerkContext,
  documentId: string,
): Promise<{ document: DocumentInfo; pdf: CurrentPdf }> {
  const documents = ctx.documents;
  if (!documents || !ctx.callerAssertion) {
    throw new AppError('SERVICE_UNAVAILABLE', 'the documents service is not configured', { retryAfterSeconds: 30 });
  }
  const caller = { identity: ctx.callerAssertion, requestId: ctx.requestId };
  const document = await documents.getDocument(caller, documentId);
  if (document.agencyCode !== ctx.identity.agencyCode)
    throw new AppError('NOT_FOUND', `document ${documentId} not found`);
  return { document, pdf: () => documents.streamContent(caller, documentId, document.currentVersion) };
}

/**
 * Sends an issued document again as an update (BussinessDocType 2) or replacement (3) to every recipient
 * the original document reached through the hub (QCVN 102:2016 TraceHeaderList.Bussiness;
 * docs/domain/requirements.md §3.2). The message is built now, from the document's metadata and current PDF,
 * and waits in the durable queue like any send. Bussiness.DocumentId names the original; a replacement also lists it in
 * ReplacementInfoList with the organs it went to.
 */
async function sendBusinessDocument(
  input: { document: DocumentInfo; pdf: CurrentPdf; original: string; businessDocType: 2 | 3; reason: string },
  ctx: ClerkContext,
): Promise<Mutation<Sent>> {
  return ctx.runInTransaction(async (tx) => {
    const at = ctx.clock();
    const originals = (await listSentExchangesOfDocument(tx, ctx.identity.agencyCode, input.original)).filter(
      (e) => e.state === 'sent' && e.edxmlDocumentId,
    );
    if (originals.length === 0) {
      throw new AppError('NOT_FOUND', `document ${input.original} was not sent through the hub by this agency`);
    }
    const items: ExchangeView[] = [];
    for (const original of originals) {
      const message = outgoingStreamedMessage(input.document, await input.pdf(), {
        recipients: original.counterparts,
        createdAt: at,
      });
      message.business = {
        documentId: original.edxmlDocumentId!,
        businessDocType: input.businessDocType,
        businessDocReason: input.reason,
        receivers: [],
        replacements:
          input.businessDocType === 3
            ? [{ documentId: original.edxmlDocumentId!, organIds: original.counterparts.map((c) => c.organId) }]
            : [],
      };
      const { stored, signature } = await signOutgoing(
        (write) => writeEdxml(message, ctx.profile, write),
        { documentId: input.document.id, caller: { identity: ctx.callerAssertion!, requestId: ctx.requestId } },
        ctx,
      );
      const inserted = await insertBusinessExchange(tx, {
        id: randomUUID(),
        original,
        businessDocType: input.businessDocType,
        message: stored,
        at,
        carried: {
          documentId: input.document.id,
          documentVersion: input.document.currentVersion,
          edxmlDocumentId: message.header.documentId,
        },
        ...(signature ? { signature } : {}),
      });
      if (!inserted) continue;
      await enqueueHubJob(tx, { id: randomUUID(), exchangeId: inserted.id, kind: 'send-edoc', at });
      items.push(exchangeView(inserted));
    }
    if (items.length === 0) {
      throw new AppError(
        'CONFLICT',
        input.businessDocType === 2
          ? `version ${input.document.currentVersion} of document ${input.document.id} was sent as an update already`
          : `document ${input.original} was replaced already`,
      );
    }
    return { items };
  });
}

export type SendDocumentUpdateInput = { documentId: string; reason: string };

/** Cập nhật: the current version of an issued document goes to its recipients as an update (BussinessDocType 2). */
export async function sendDocumentUpdate(input: SendDocumentUpdateInput, ctx: ClerkContext): Promise<Mutation<Sent>> {
  requireRole(ctx.identity, 'clerk');
  const reason = checkReason(input.reason);
  const { document, pdf } = await issuedDocument(ctx, input.documentId);
  return sendBusinessDocument({ document, pdf, original: input.documentId, businessDocType: 2, reason }, ctx);
}

export type SendDocumentReplacementInput = { documentId: string; replacesDocumentId: string; reason: string };

/** Thay thế: an issued document replaces one sent before, to that one's recipients (BussinessDocType 3). */
export async function sendDocumentReplacement(
  input: SendDocumentReplacementInput,
  ctx: ClerkContext,
): Promise<Mutation<Sent>> {
  requireRole(ctx.identity, 'clerk');
  const reason = checkReason(input.reason);
  if (input.documentId === input.replacesDocumentId) {
    throw new AppError('VALIDATION_FAILED', 'a document cannot replace itself; send an update instead', {
      errors: [{ field: 'body.replacesDocumentId', message: 'must differ from documentId' }],
    });
  }
  const { document, pdf } = await issuedDocument(ctx, input.documentId);
  return sendBusinessDocument({ document, pdf, original: input.replacesDocumentId, businessDocType: 3, reason }, ctx);
}
