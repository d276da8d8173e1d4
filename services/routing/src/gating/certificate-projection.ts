import { certificateActivatedV1, certificateRegisteredV1 } from '@vanthu/contracts';
import type { CertificateActivatedV1, CertificateRegisteredV1 } from '@vanthu/contracts';
import type { CloudEvent, EventHandler, Logger, Tx } from '@vanthu/platform';
import { upsertProjectedCertificate } from '../repositories/gating-repository';
import type { CertificateState } from '../repositories/gating-repository';

// Routing learns who holds an activated certificate only from signing's certificate.* events, into its
// own table; it never reads signing's database. The inbox makes each event count once.

/** Events signing announces for the rest of a certificate's life (not yet in the catalogue when written). */
export const certificateUnregisteredType = 'vn.vanthu.certificate.unregistered.v1';
export const certificateReassignedType = 'vn.vanthu.certificate.reassigned.v1';
export const certificateSuspendedType = 'vn.vanthu.certificate.suspended.v1';

type LaterCertificateEvent = {
  certificateId?: unknown;
  agencyCode?: unknown;
  userId?: unknown;
  toUserId?: unknown;
  newUserId?: unknown;
  unregisteredAt?: unknown;
  reassignedAt?: unknown;
  suspendedAt?: unknown;
  at?: unknown;
};

const text = (value: unknown): string | undefined =>
  typeof value === 'string' && value.length > 0 ? value : undefined;
const instant = (...values: unknown[]): Date | undefined => {
  for (const value of values) {
    const date = typeof value === 'string' ? new Date(value) : undefined;
    if (date && !Number.isNaN(date.getTime())) return date;
  }
  return undefined;
};

async function applyLater(
  tx: Tx,
  event: CloudEvent,
  state: CertificateState | undefined,
  logger: Logger,
): Promise<void> {
  const data = (event.data ?? {}) as LaterCertificateEvent;
  const certificateId = text(data.certificateId);
  const agencyCode = text(data.agencyCode);
  if (!certificateId || !agencyCode) throw new Error(`${event.type} ${event.id} has no certificateId or agencyCode`);
  const at = instant(data.unregisteredAt, data.reassignedAt, data.suspendedAt, data.at, event.time) ?? new Date();
  // A reassigned certificate names its new holder; it keeps its state (an activated one stays activated).
  const userId =
    event.type === certificateReassignedType
      ? (text(data.toUserId) ?? text(data.newUserId) ?? text(data.userId))
      : undefined;
  if (event.type === certificateReassignedType && !userId)
    throw new Error(`${event.type} ${event.id} does not name the new holder`);
  await upsertProjectedCertificate(tx, {
    certificateId,
    agencyCode,
    ...(userId ? { userId } : {}),
    ...(state ? { state } : {}),
    at,
    eventId: event.id,
  });
  logger.debug({ certificateId, type: event.type }, 'certificate projection updated');
}

/** Inbox handlers for every certificate.* event, by CloudEvents type. */
export function certificateProjectionHandlers(logger: Logger): Record<string, EventHandler> {
  return {
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
    [certificateUnregisteredType]: (tx, event) => applyLater(tx, event, 'unregistered', logger),
    [certificateSuspendedType]: (tx, event) => applyLater(tx, event, 'suspended', logger),
    [certificateReassignedType]: (tx, event) => applyLater(tx, event, undefined, logger),
  };
}
