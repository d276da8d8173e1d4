import {
  certificateActivatedV1,
  certificateReassignedV1,
  certificateRegisteredV1,
  certificateSuspendedV1,
  certificateUnregisteredV1,
} from '@vanthu/contracts';
import type {
  CertificateActivatedV1,
  CertificateReassignedV1,
  CertificateRegisteredV1,
  CertificateSuspendedV1,
  CertificateUnregisteredV1,
} from '@vanthu/contracts';
import type { EventHandler } from '@vanthu/platform';
import { upsertProjectedCertificate } from '../repositories/gating-repository';

// Routing learns who holds an activated certificate only from signing's certificate.* events, into its
// own table; it never reads signing's database. The inbox makes each event count once, and an event older
// than what the projection holds (redelivered out of order) never moves a certificate back.

/** Inbox handlers for every certificate.* event, by CloudEvents type. */
export function certificateProjectionHandlers(): Record<string, EventHandler> {
  return {
    // Also a re-registration of a released certificate by a new holder.
    [certificateRegisteredV1.type]: async (tx, event) => {
      const data = event.data as CertificateRegisteredV1;
      await upsertProjectedCertificate(tx, {
        certificateId: data.certificateId,
        agencyCode: data.agencyCode,
        userId: data.userId,
        state: 'registered',
        notAfter: new Date(data.notAfter),
        at: new Date(data.registeredAt),
        eventId: event.id,
      });
    },
    [certificateActivatedV1.type]: async (tx, event) => {
      const data = event.data as CertificateActivatedV1;
      await upsertProjectedCertificate(tx, {
        certificateId: data.certificateId,
        agencyCode: data.agencyCode,
        userId: data.userId,
        state: 'active',
        at: new Date(data.activatedAt),
        eventId: event.id,
      });
    },
    [certificateUnregisteredV1.type]: async (tx, event) => {
      const data = event.data as CertificateUnregisteredV1;
      await upsertProjectedCertificate(tx, {
        certificateId: data.certificateId,
        agencyCode: data.agencyCode,
        userId: data.userId,
        state: 'unregistered',
        at: new Date(data.unregisteredAt),
        eventId: event.id,
      });
    },
    // The certificate keeps its status and changes holder.
    [certificateReassignedV1.type]: async (tx, event) => {
      const data = event.data as CertificateReassignedV1;
      await upsertProjectedCertificate(tx, {
        certificateId: data.certificateId,
        agencyCode: data.agencyCode,
        userId: data.toUserId,
        state: data.status,
        at: new Date(data.reassignedAt),
        eventId: event.id,
      });
    },
    // Revoked by its CA or expired: no longer a usable certificate.
    [certificateSuspendedV1.type]: async (tx, event) => {
      const data = event.data as CertificateSuspendedV1;
      await upsertProjectedCertificate(tx, {
        certificateId: data.certificateId,
        agencyCode: data.agencyCode,
        userId: data.userId,
        state: 'suspended',
        notAfter: new Date(data.notAfter),
        at: new Date(data.suspendedAt),
        eventId: event.id,
      });
    },
  };
}
