import { documentValidatedV1 } from '@vanthu/contracts';
import type { DocumentCreatedV1 } from '@vanthu/contracts';
import { enqueueEvent } from '@vanthu/platform';
import type { CloudEvent, Logger, Tx } from '@vanthu/platform';
import { signingServiceIdentity } from '../context';
import { validateStoredDocument } from './validate-stored-document';
import type { ValidationDeps } from './validation-deps';

/**
 * NĐ 30/2020 Điều 21.2: every incoming document is checked for authenticity and integrity on
 * receipt. Consumes document.created events of incoming documents, validates the stored version
 * as this service (no user is behind the event), keeps the report with the document's record and
 * publishes document.validated with the verdict through the outbox.
 */
export function incomingDocumentHandler(
  deps: ValidationDeps,
  logger: Logger,
): (tx: Tx, event: CloudEvent) => Promise<void> {
  return async (tx, event) => {
    const data = event.data as DocumentCreatedV1;
    if (data.direction !== 'incoming') return;
    if (!deps.serviceIdentity) throw new Error('incoming validation needs SERVICE_IDENTITY_PRIVATE_KEY_FILE');
    if (data.mediaType !== 'application/pdf') {
      logger.info(
        { documentId: data.documentId, mediaType: data.mediaType },
        'incoming document is not a PDF; no signature to validate',
      );
      return;
    }
    const headers = { identity: deps.serviceIdentity(data.agencyCode), requestId: `validate-${event.id}` };
    const result = await validateStoredDocument(
      { documentId: data.documentId, version: data.version, trigger: 'incoming' },
      {
        identity: { ...signingServiceIdentity, agencyCode: data.agencyCode },
        requestId: headers.requestId,
        headers,
        validation: deps,
      },
    );
    const report = result.report;
    await enqueueEvent(
      tx,
      documentValidatedV1,
      data.documentId,
      {
        documentId: data.documentId,
        agencyCode: data.agencyCode,
        version: result.version,
        sha256: report.sha256,
        verdict: report.verdict,
        verdictReason: report.verdictReason.slice(0, 1000),
        signatures: report.signatures.slice(0, 200).map((s) => ({
          fieldName: s.fieldName,
          kind: s.kind,
          indication: s.indication,
          subIndication: s.subIndication,
          signerName: s.signer?.name ?? null,
        })),
        reportId: report.reportId,
        validatedAt: new Date().toISOString(),
      },
      { source: deps.source, requestId: headers.requestId, agencyCode: data.agencyCode },
      deps.topicPrefix,
    );
    logger.info({ documentId: data.documentId, verdict: report.verdict }, 'incoming document validated');
  };
}
