import type { Pool, ServiceApp } from '@vanthu/platform';
import { getComplianceReport } from '../domain/get-compliance-report';
import { ComplianceQuery, ComplianceReport } from '../schemas/compliance-report';

const problem = { $ref: 'Problem#' } as const;

export async function reportRoutes(app: ServiceApp, deps: { pool: Pool }): Promise<void> {
  app.get(
    '/v1/reports/compliance',
    {
      schema: {
        operationId: 'getComplianceReport',
        tags: ['reports'],
        summary: 'Monthly compliance report of an agency (the caller’s by default)',
        querystring: ComplianceQuery,
        response: { 200: ComplianceReport, 400: problem, 401: problem, 403: problem },
      },
    },
    async (request) => getComplianceReport(request.identity, request.query.month, request.query.agency, deps),
  );
}
