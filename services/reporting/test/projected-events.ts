import { randomUUID } from 'node:crypto';
import { withTransaction } from '@vanthu/platform';
import type { CloudEvent, Pool } from '@vanthu/platform';
import type { DocumentCreatedV1, DocumentIssuedV1 } from '@vanthu/contracts';
import { reportingHandlers } from '../src/events/consumers';
import { projectionWriteBatch } from '../src/repositories/write-batch';
import { cloudEvent } from './month-of-activity';

// The set-up the report tests share: documents' events as documents publishes them, projected as the consumer
// projects them (its handlers writing through the write batch, which recounts the roll-ups the reports read).

/** documents' document.created.v1 of an outgoing document (`data` overrides any field). */
export const documentCreated = (
  agencyCode: string,
  createdAt: string,
  data: Partial<DocumentCreatedV1> = {},
): CloudEvent => {
  const documentId = data.documentId ?? randomUUID();
  return cloudEvent<DocumentCreatedV1>(
    'vn.vanthu.document.created.v1',
    documentId,
    {
      documentId,
      agencyCode,
      direction: 'outgoing',
      subject: 'Báo cáo',
      version: 1,
      sha256: 'c'.repeat(64),
      mediaType: 'application/pdf',
      sizeBytes: 1,
      createdBy: 'u',
      createdAt,
      ...data,
    },
    createdAt,
    '/vanthu/documents',
  );
};

/** documents' document.issued.v1 of a document at version 1. */
export const documentIssued = (agencyCode: string, documentId: string, notation: string, issuedAt: string) =>
  cloudEvent<DocumentIssuedV1>(
    'vn.vanthu.document.issued.v1',
    documentId,
    {
      documentId,
      agencyCode,
      notation,
      documentIdentifier: `${agencyCode}.${notation}`,
      version: 1,
      sha256: 'c'.repeat(64),
      issuedBy: 'van-thu',
      issuedAt,
    },
    issuedAt,
    '/vanthu/documents',
  );

/** The events projected in one transaction by the consumer's handlers and write batch, in order. */
export async function projectEvents(pool: Pool, events: CloudEvent[]): Promise<void> {
  await withTransaction(pool, async (tx) => {
    const batch = projectionWriteBatch(tx);
    for (const event of events) {
      const handler = reportingHandlers[event.type];
      if (!handler) throw new Error(`no reporting handler for ${event.type}`);
      await handler(batch.writer, event);
    }
    await batch.send();
  });
}
