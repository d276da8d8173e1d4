import type { Tx } from '@vanthu/platform';
import type { DocumentSummary } from '../clients/documents-client';
import { processesOfDocument } from '../repositories/processes-repository';
import type { ProcessRecord } from '../repositories/processes-repository';
import { signaturesOfProcess } from '../repositories/signatures-repository';
import { agencyServiceContext } from './agency-service-context';
import type { RoutingContext } from './routing-context';
import { deliveredSignerInfo } from './signer-info';
import { openProcess } from './start-process';

export type LocalDelivery = { organId: string; documentId: string; processId: string };

/**
 * NĐ 30/2020 Điều 16.1 and Điều 20: an issued document reaches each recipient agency hosted on this instance
 * directly, without the hub. Its issued version becomes the recipient's incoming document (văn bản đến, created in
 * documents under routing's service identity for the recipient) and the recipient's incoming process starts on it,
 * in the issuer's transaction. Idempotency keys per (process, recipient) make a retried issue find the same
 * document, and a recipient that already has a process on it is not given a second one.
 */
export async function deliverToLocalAgencies(
  tx: Tx,
  ctx: RoutingContext,
  input: { process: ProcessRecord; issued: DocumentSummary; version: number; sha256: string; recipients: string[] },
): Promise<LocalDelivery[]> {
  if (input.recipients.length === 0) return [];
  const { process, issued } = input;
  const pdf = await ctx.documents.getContent(ctx.credentials, issued.id, input.version);
  const metadata = issued.metadata as Record<string, unknown>;
  const issuerName = typeof metadata.organName === 'string' ? metadata.organName : process.agencyCode;
  // The approval that vouches for the issued content (older ones were invalidated by a later upload).
  const approval = (await signaturesOfProcess(tx, process.id))
    .filter((s) => s.kind === 'approval' && s.contentVersion === process.contentVersion)
    .at(-1);
  const signer = deliveredSignerInfo(metadata.signer, approval?.authorityPrefix ?? null);
  const delivered: LocalDelivery[] = [];
  for (const organId of input.recipients) {
    const recipient = agencyServiceContext(ctx, tx, organId);
    const incoming = await ctx.documents.createIncomingDocument(
      recipient.credentials,
      pdf,
      {
        direction: 'incoming',
        subject: issued.subject,
        urgency: issued.urgency,
        sender: { organId: process.agencyCode, organName: issuerName.slice(0, 200) },
        // Phụ lục VI: the issuer's số, ký hiệu and date travel with the document.
        ...(typeof metadata.codeNumber === 'string' ? { codeNumber: metadata.codeNumber } : {}),
        ...(typeof metadata.codeNotation === 'string' ? { codeNotation: metadata.codeNotation } : {}),
        ...(typeof metadata.issuedDate === 'string' ? { issuedDate: metadata.issuedDate } : {}),
        ...(signer ? { signer } : {}),
      },
      `routing-delivery-${process.id}-${organId}`,
    );
    const existing = await processesOfDocument(tx, organId, incoming.id, 'incoming');
    const started =
      existing[0] ??
      (await openProcess(tx, recipient, {
        kind: 'incoming',
        document: incoming,
        variables: {
          receivedVia: 'instance',
          receivedFrom: {
            agencyCode: process.agencyCode,
            processId: process.id,
            documentId: issued.id,
            version: input.version,
            sha256: input.sha256,
          },
        },
      }));
    delivered.push({ organId, documentId: incoming.id, processId: started.id });
  }
  return delivered;
}
