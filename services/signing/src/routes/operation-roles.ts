import type { OperationRoles } from '@vanthu/platform';

// Who may call each operation of signing (published as `x-vanthu-roles`, enforced by the platform's route guard:
// packages/platform/src/operation-roles.ts). `every-member`: open to every member of the caller's agency, where the
// use case may still refuse by relation or variant, as the operation's description says.
export const operationRoles: OperationRoles = {
  applyOrganisationSignature: ['clerk'],
  listDocumentSignatures: 'every-member',
  extendSignatures: ['clerk', 'admin'],
  // A member signs their own consultation answer sheet whatever their role; initials and approvals need theirs.
  prepareSigningSession: 'every-member',
  completeSigningSession: 'every-member',
  registerCertificate: 'every-member',
  listCertificates: 'every-member',
  // The holder of the certificate, or an administrator.
  unregisterCertificate: 'every-member',
  reassignCertificate: ['admin'],
  listCertificateHistory: 'every-member',
  checkCertificates: ['admin', 'service'],
  certificateAdoption: ['admin', 'report-collector'],
  activateCertificate: ['admin'],
  signingKeyStatus: ['admin'],
  generateSigningKey: ['admin'],
  // A person's own signature or initials image; the seal image needs the clerk or an administrator.
  uploadSignatureImage: 'every-member',
  getSigningKey: ['admin'],
  attachSigningKeyCertificate: ['admin'],
  rotateSigningKey: ['admin'],
  retireSigningKey: ['admin'],
  sealServiceDocument: ['service'],
  signEdxml: ['clerk', 'service'],
  checkEdxmlSigner: ['clerk', 'service'],
  validatePdf: 'every-member',
  validateStoredDocument: 'every-member',
};
