import type { OperationRoles } from '@vanthu/platform';

// Who may call each operation of exchange (published as `x-vanthu-roles`, enforced by the platform's route guard:
// packages/platform/src/operation-roles.ts). `every-member`: open to every member of the caller's agency, where the
// use case may still refuse by relation or variant, as the operation's description says.
export const operationRoles: OperationRoles = {
  validateEdxml: 'every-member',
  listExchanges: 'every-member',
  verifyExchangeLog: ['admin', 'clerk'],
  getExchange: 'every-member',
  returnReceivedDocument: ['clerk'],
  answerExchangeRequest: ['clerk'],
  sendDocumentUpdate: ['clerk'],
  sendDocumentReplacement: ['clerk'],
};
