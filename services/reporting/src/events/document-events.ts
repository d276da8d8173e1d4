import type { CloudEvent, Tx } from '@vanthu/platform';
import type {
  CopyMadeV1,
  DocumentCreatedV1,
  DocumentIssuedV1,
  DocumentRecalledV1,
  DocumentRegisteredV1,
} from '@vanthu/contracts';
import {
  recordCopyMade,
  recordDocumentCreated,
  recordDocumentIssued,
  recordDocumentRecalled,
  recordDocumentRegistered,
} from '../repositories/document-facts-repository';

export async function onDocumentCreated(tx: Tx, event: CloudEvent): Promise<void> {
  const data = event.data as DocumentCreatedV1;
  await recordDocumentCreated(tx, {
    documentId: data.documentId,
    agencyCode: data.agencyCode,
    direction: data.direction,
    subject: data.subject,
    createdBy: data.createdBy,
    createdAt: data.createdAt,
    eventId: event.id,
  });
}

export async function onDocumentRegistered(tx: Tx, event: CloudEvent): Promise<void> {
  const data = event.data as DocumentRegisteredV1;
  await recordDocumentRegistered(tx, {
    documentId: data.documentId,
    agencyCode: data.agencyCode,
    direction: data.direction,
    notation: data.notation,
    typeCode: data.typeCode,
    urgency: data.urgency,
    registeredAt: data.registeredAt,
  });
}

export async function onDocumentIssued(tx: Tx, event: CloudEvent): Promise<void> {
  const data = event.data as DocumentIssuedV1;
  await recordDocumentIssued(tx, {
    documentId: data.documentId,
    agencyCode: data.agencyCode,
    notation: data.notation,
    version: data.version,
    issuedBy: data.issuedBy,
    issuedAt: data.issuedAt,
  });
}

export async function onDocumentRecalled(tx: Tx, event: CloudEvent): Promise<void> {
  const data = event.data as DocumentRecalledV1;
  await recordDocumentRecalled(tx, {
    documentId: data.documentId,
    agencyCode: data.agencyCode,
    direction: data.direction,
    status: data.status,
    recalledAt: data.recalledAt,
  });
}

/**
 * A copy's kind is `<SY|SL|TrS>:<form>` (NĐ 30/2020 Điều 25): `digitised` is a paper original
 * scanned and sealed (Điều 25.1.c), `paper` a printed copy of an electronic original.
 */
export function copyForm(kind: string): 'electronic' | 'paper' | 'digitised' {
  const form = kind.split(':')[1];
  return form === 'digitised' || form === 'paper' ? form : 'electronic';
}

export async function onCopyMade(tx: Tx, event: CloudEvent): Promise<void> {
  const data = event.data as CopyMadeV1;
  await recordCopyMade(tx, {
    copyDocumentId: data.copyDocumentId,
    agencyCode: data.agencyCode,
    sourceDocumentId: data.sourceDocumentId,
    kind: data.kind,
    form: copyForm(data.kind),
    notation: data.notation,
    createdAt: data.createdAt,
  });
}
