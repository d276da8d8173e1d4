import type { CloudEvent, Tx } from '@vanthu/platform';
import type {
  CertificateActivatedV1,
  CertificateReassignedV1,
  CertificateSuspendedV1,
  CertificateUnregisteredV1,
  CertificateRegisteredV1,
  DocumentValidatedV1,
  SignatureAppliedV1,
} from '@vanthu/contracts';
import { recordDocumentValidation, recordSignatureApplied } from '../repositories/signature-facts-repository';
import {
  recordCertificateActivated,
  recordCertificateEnded,
  recordCertificateReassigned,
  recordCertificateRegistered,
} from '../repositories/certificate-facts-repository';

export async function onSignatureApplied(tx: Tx, event: CloudEvent): Promise<void> {
  const data = event.data as SignatureAppliedV1;
  await recordSignatureApplied(tx, {
    signatureId: data.signatureId,
    documentId: data.documentId,
    agencyCode: data.agencyCode,
    kind: data.kind,
    level: data.level,
    signedVersion: data.signedVersion,
    version: data.version,
    signerUserId: data.signerUserId,
    certificateSha256: data.certificateSha256,
    certificateSubject: data.certificateSubject,
    authorityPrefix: data.authorityPrefix,
    signedAt: data.signedAt,
  });
}

export async function onDocumentValidated(tx: Tx, event: CloudEvent): Promise<void> {
  const data = event.data as DocumentValidatedV1;
  const signatures = data.signatures.filter((s) => s.kind === 'signature');
  await recordDocumentValidation(tx, {
    documentId: data.documentId,
    version: data.version,
    agencyCode: data.agencyCode,
    verdict: data.verdict,
    signaturesTotal: signatures.length,
    signaturesPassed: signatures.filter((s) => s.indication === 'TOTAL_PASSED').length,
    reportId: data.reportId,
    validatedAt: data.validatedAt,
  });
}

export async function onCertificateRegistered(tx: Tx, event: CloudEvent): Promise<void> {
  const data = event.data as CertificateRegisteredV1;
  await recordCertificateRegistered(tx, {
    certificateId: data.certificateId,
    agencyCode: data.agencyCode,
    userId: data.userId,
    sha256: data.sha256,
    subject: data.subject,
    notAfter: data.notAfter,
    registeredAt: data.registeredAt,
  });
}

export async function onCertificateActivated(tx: Tx, event: CloudEvent): Promise<void> {
  const data = event.data as CertificateActivatedV1;
  await recordCertificateActivated(tx, {
    certificateId: data.certificateId,
    agencyCode: data.agencyCode,
    userId: data.userId,
    activatedBy: data.activatedBy,
    activatedAt: data.activatedAt,
  });
}

export async function onCertificateUnregistered(tx: Tx, event: CloudEvent): Promise<void> {
  const data = event.data as CertificateUnregisteredV1;
  await recordCertificateEnded(tx, {
    certificateId: data.certificateId,
    agencyCode: data.agencyCode,
    userId: data.userId,
    reason: 'unregistered',
    endedAt: data.unregisteredAt,
  });
}

export async function onCertificateSuspended(tx: Tx, event: CloudEvent): Promise<void> {
  const data = event.data as CertificateSuspendedV1;
  await recordCertificateEnded(tx, {
    certificateId: data.certificateId,
    agencyCode: data.agencyCode,
    userId: data.userId,
    reason: data.cause,
    endedAt: data.suspendedAt,
  });
}

export async function onCertificateReassigned(tx: Tx, event: CloudEvent): Promise<void> {
  const data = event.data as CertificateReassignedV1;
  await recordCertificateReassigned(tx, {
    certificateId: data.certificateId,
    agencyCode: data.agencyCode,
    toUserId: data.toUserId,
    reassignedAt: data.reassignedAt,
  });
}
