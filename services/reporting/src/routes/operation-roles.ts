import type { OperationRoles } from '@vanthu/platform';

// Who may call each operation of reporting (published as `x-vanthu-roles`, enforced by the platform's route guard:
// packages/platform/src/operation-roles.ts). `every-member`: open to every member of the caller's agency, where the
// use case may still refuse by relation or variant, as the operation's description says.
export const operationRoles: OperationRoles = {
  getComplianceReport: 'every-member',
  getProvinceReport: ['report-collector'],
  listComplianceFindings: 'every-member',
  getProcessingReport: 'every-member',
  exportComplianceReport: 'every-member',
  submitMonthlyReport: ['clerk', 'agency-leader'],
  listReportSubmissions: 'every-member',
  getSubmittedReport: 'every-member',
  getReportFreshness: 'every-member',
};
