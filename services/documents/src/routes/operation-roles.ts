import type { OperationRoles } from '@vanthu/platform';

// Who may call each operation of documents (published as `x-vanthu-roles`, enforced by the platform's route guard:
// packages/platform/src/operation-roles.ts). `every-member`: open to every member of the caller's agency, where the
// use case may still refuse by relation or variant, as the operation's description says.
export const operationRoles: OperationRoles = {
  createDocument: 'every-member',
  searchDocuments: 'every-member',
  addDocumentVersion: 'every-member',
  getDocument: 'every-member',
  getDocumentContent: 'every-member',
  getDocumentAccessLog: 'every-member',
  issueDocument: ['clerk'],
  updateDocumentMetadata: 'every-member',
  recallDocument: ['clerk'],
  saveSearch: 'every-member',
  listSavedSearches: 'every-member',
  runSavedSearch: 'every-member',
  createDossier: 'every-member',
  listDossiers: 'every-member',
  getDossier: 'every-member',
  addDocumentToDossier: 'every-member',
  closeDossier: 'every-member',
  exportDossier: 'every-member',
  makeCopy: ['clerk'],
  digitiseCopy: ['clerk'],
  createRegister: ['clerk', 'admin'],
  listRegisters: 'every-member',
  registerDocument: ['clerk'],
  exportRegister: 'every-member',
  importOrganisations: ['admin', 'directory-admin'],
  getOrganisation: 'every-member',
  listDocumentTypes: 'every-member',
  getFormPolicy: 'every-member',
  setFormPolicy: ['admin'],
};
