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
import type { CertificateState } from '../repositories/gating-repository';

// Routing learns who holds an activated certificate only from signing's certificate.* events, into its
// own table; it never reads signing's database. The inbox makes each event count once, and an event older
// than what the projection holds (redelivered out of order) never moves a certificate back.

/** What one certificate.* event says of the certificate: its holder and state from then on, and when. */
type Change = { userId: string; state: CertificateState; at: string; notAfter?: string };

/** The handler that projects one kind of certificate.* event, each kind saying its change in its own fields. */
const projecting =
  <T extends { certificateId: string; agencyCode: string }>(changeOf: (data: T) => Change): EventHandler =>
  async (tx, event) => {
    const data = event.data as T;
    const { at, notAfter, ...change } = changeOf(data);
    await upsertProjectedCertificate(tx, {
      certificateId: data.certificateId,
      agencyCode: data.agencyCode,
      ...change,
      ...(notAfter === undefined ? {} : { notAfter: new Date(notAfter) }),
      at: new Date(at),
      eventId: event.id,
    });
  };

/** Inbox handlers for every certificate.* event, by CloudEvents type. */
export function certificateProjectionHandlers(): Record<string, EventHandler> {
  return {
    // Also a re-registration of a released certificate by a new holder.
    [certificateRegisteredV1.type]: projecting<CertificateRegisteredV1>((data) => ({
      userId: data.userId,
      state: 'registered',
      notAfter: data.notAfter,
      at: data.registeredAt,
    })),
    [certificateActivatedV1.type]: projecting<CertificateActivatedV1>((data) => ({
      userId: data.userId,
      state: 'active',
      at: data.activatedAt,
    })),
    [certificateUnregisteredV1.type]: projecting<CertificateUnregisteredV1>((data) => ({
      userId: data.userId,
      state: 'unregistered',
      at: data.unregisteredAt,
    })),
    // The certificate keeps its status and changes holder.
    [certificateReassignedV1.type]: projecting<CertificateReassignedV1>((data) => ({
      userId: data.toUserId,
      state: data.status,
      at: data.reassignedAt,
    })),
    // Revoked by its CA or expired: no longer a usable certificate.
    [certificateSuspendedV1.type]: projecting<CertificateSuspendedV1>((data) => ({
      userId: data.userId,
      state: 'suspended',
      notAfter: data.notAfter,
      at: data.suspendedAt,
    })),
  };
}
