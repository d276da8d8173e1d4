import type { CloudEvent, Tx } from '@vanthu/platform';
import type { DocumentCreatedV1 } from '@vanthu/contracts';
import { upsertDocumentFact } from '../repositories/document-facts-repository';

export async function onDocumentCreated(tx: Tx, event: CloudEvent): Promise<void> {
  const data = event.data as DocumentCreatedV1;
  await upsertDocumentFact(tx, {
    documentId: data.documentId,
    agencyCode: data.agencyCode,
    direction: data.direction,
    createdAt: data.createdAt,
    eventId: event.id,
  });
}
