import type { OperationRoles } from '@vanthu/platform';

// Who may call each operation of routing (published as `x-vanthu-roles`, enforced by the platform's route guard:
// packages/platform/src/operation-roles.ts). `every-member`: open to every member of the caller's agency, where the
// use case may still refuse by relation or variant, as the operation's description says.
export const operationRoles: OperationRoles = {
  getCalendarYear: 'every-member',
  amendCalendarYear: ['admin'],
  getCertificateGating: 'every-member',
  setGatingDate: ['agency-leader', 'admin'],
  checkPersonAssignable: 'every-member',
  grantCertificateException: ['agency-leader', 'admin'],
  listCertificateExceptions: 'every-member',
  revokeCertificateException: ['agency-leader', 'admin'],
  // Delegating one's own tasks is every member's; recording someone's absence needs a leader or an administrator.
  createDelegation: 'every-member',
  listDelegations: 'every-member',
  // The delegator, the delegation's author, or a leader.
  revokeDelegation: 'every-member',
  findDelegate: 'every-member',
  getSubmissionPolicy: 'every-member',
  setSubmissionPolicy: ['agency-leader', 'admin'],
  uploadProcessDefinition: ['admin'],
  listProcessDefinitions: 'every-member',
  // An incoming process: the clerk; an outgoing draft: a specialist or unit leader (start-process.ts).
  startProcess: ['clerk', 'specialist', 'unit-leader', 'service'],
  getProcess: 'every-member',
  getProcessHistory: 'every-member',
  verifyProcessHistory: 'every-member',
  listTasks: 'every-member',
  claimTask: 'every-member',
  completeTask: 'every-member',
  returnTask: 'every-member',
  delegateTask: 'every-member',
  forwardTask: 'every-member',
  reviewTask: 'every-member',
  reportTaskProgress: 'every-member',
  issueOnPaper: ['clerk'],
  openConsultation: ['specialist', 'unit-leader', 'agency-leader', 'clerk'],
  getConsultation: 'every-member',
  requestAnswerSheet: 'every-member',
  answerConsultation: 'every-member',
  closeConsultation: 'every-member',
  listIncidents: 'every-member',
  declareIncident: ['admin'],
  endIncident: ['admin'],
};
