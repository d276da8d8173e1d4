import type { CloudEvent, Tx } from '@vanthu/platform';
import type { ConsultationAnsweredV1, ConsultationClosedV1, ConsultationOpenedV1 } from '@vanthu/contracts';
import {
  recordConsultationAnswered,
  recordConsultationClosed,
  recordConsultationOpened,
} from '../repositories/consultation-facts-repository';

export async function onConsultationOpened(tx: Tx, event: CloudEvent): Promise<void> {
  const data = event.data as ConsultationOpenedV1;
  await recordConsultationOpened(tx, {
    consultationId: data.consultationId,
    agencyCode: data.agencyCode,
    documentId: data.documentId,
    members: data.members,
    openedAt: data.openedAt,
    dueAt: data.dueAt,
  });
}

export async function onConsultationAnswered(tx: Tx, event: CloudEvent): Promise<void> {
  const data = event.data as ConsultationAnsweredV1;
  await recordConsultationAnswered(tx, {
    consultationId: data.consultationId,
    agencyCode: data.agencyCode,
    documentId: data.documentId,
    memberUserId: data.memberUserId,
    dueAt: data.dueAt,
    onTime: data.onTime,
    answeredAt: data.answeredAt,
  });
}

export async function onConsultationClosed(tx: Tx, event: CloudEvent): Promise<void> {
  const data = event.data as ConsultationClosedV1;
  await recordConsultationClosed(tx, {
    consultationId: data.consultationId,
    agencyCode: data.agencyCode,
    documentId: data.documentId,
    dueAt: data.dueAt,
    closedAt: data.closedAt,
  });
}
