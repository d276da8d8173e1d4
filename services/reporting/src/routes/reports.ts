import {
  contentDisposition,
  contextFor,
  IdempotencyKeyHeaders,
  problemResponses,
  sendMutation,
} from '@vanthu/platform';
import type { Clock, Pool, ServiceApp } from '@vanthu/platform';
import { exportReport } from '../domain/export-report';
import type { ReportFonts } from '../rendering/report-pdf';
import type { FastifyRequest } from 'fastify';
import { getComplianceReport } from '../domain/get-compliance-report';
import type { ReportingContext } from '../domain/get-compliance-report';
import { getProvinceReport } from '../domain/get-province-report';
import { listFindings } from '../domain/list-findings';
import { ComplianceQuery, ComplianceReport, ExportQuery, FreshnessReport } from '../schemas/compliance-report';
import { FindingsPage, FindingsQuery } from '../schemas/findings';
import { ProvinceQuery, ProvinceReport } from '../schemas/province-report';
import { getProcessingReport } from '../domain/get-processing-report';
import { ProcessingQuery, ProcessingReport } from '../schemas/processing-report';
import { getSubmittedReport } from '../domain/get-submitted-report';
import { getFreshness } from '../domain/get-freshness';
import type { WatermarkSource } from '../adapters/kafka-watermarks';
import type { ReportSealer } from '../adapters/report-sealer';
import { listSubmissions } from '../domain/list-submissions';
import { submitMonthlyReport } from '../domain/submit-monthly-report';
import {
  NewSubmission,
  Submission,
  SubmissionsOverview,
  SubmissionsQuery,
  SubmittedPdfParams,
  SubmittedPdfQuery,
} from '../schemas/submissions';

export type ReportRoutesDeps = {
  pool: Pool;
  consumer: string;
  fonts: ReportFonts;
  topicPrefix: string;
  clock?: Clock;
  watermarks?: WatermarkSource;
  sealer?: ReportSealer;
};

export function reportingContext(request: FastifyRequest, deps: ReportRoutesDeps, operation: string): ReportingContext {
  return {
    ...contextFor(request, deps.pool, operation, deps.clock),
    consumer: deps.consumer,
    watermarks: deps.watermarks,
  };
}

export async function reportRoutes(app: ServiceApp, deps: ReportRoutesDeps): Promise<void> {
  app.get(
    '/v1/reports/compliance',
    {
      schema: {
        operationId: 'getComplianceReport',
        tags: ['reports'],
        summary: 'Monthly compliance report of an agency (the caller’s by default)',
        description:
          'Counts and shares of one agency for a Vietnamese calendar month, each figure with its numerator, denominator and definition; built only from events. Another agency’s report is 404 unless the caller is a report collector.',
        querystring: ComplianceQuery,
        response: { 200: ComplianceReport, ...problemResponses(400, 401, 404) },
      },
    },
    async (request) => getComplianceReport(request.query, reportingContext(request, deps, 'getComplianceReport')),
  );

  app.get(
    '/v1/reports/province',
    {
      schema: {
        operationId: 'getProvinceReport',
        tags: ['reports'],
        summary: 'Every agency of the province side by side for one month (report collectors)',
        description:
          'Agencies ranked, thresholds marked met or not, province totals, and the annex tables: Phụ lục 1 (ký số cơ quan, ký số lãnh đạo) and Phụ lục 2 (chứng thư số).',
        querystring: ProvinceQuery,
        response: { 200: ProvinceReport, ...problemResponses(400, 401, 403) },
      },
    },
    async (request) => getProvinceReport(request.query, reportingContext(request, deps, 'getProvinceReport')),
  );

  app.get(
    '/v1/reports/findings',
    {
      schema: {
        operationId: 'listComplianceFindings',
        tags: ['reports'],
        summary: 'The documents behind a figure, to notify and correct (cursor pagination)',
        description:
          'Issued documents without the personal signature of the person with authority or without the organisation signature, or documents only digitised from paper, in the month. Report collectors see the province unless they name an agency; others see their own agency (another agency is 404).',
        querystring: FindingsQuery,
        response: { 200: FindingsPage, ...problemResponses(400, 401, 404) },
      },
    },
    async (request) => listFindings(request.query, reportingContext(request, deps, 'listComplianceFindings')),
  );

  app.get(
    '/v1/reports/processing',
    {
      schema: {
        operationId: 'getProcessingReport',
        tags: ['reports'],
        summary:
          'Báo cáo tình hình giải quyết văn bản đến / đi for a period, per unit and person (NĐ 30/2020 Phụ lục IV)',
        description:
          'Tasks with a deadline in the period: due, done on time, done late, overdue and not yet due (as of now), per unit and per person, from routing’s events. Another agency is 404 unless the caller is a report collector.',
        querystring: ProcessingQuery,
        response: { 200: ProcessingReport, ...problemResponses(400, 401, 404) },
      },
    },
    async (request) => getProcessingReport(request.query, reportingContext(request, deps, 'getProcessingReport')),
  );

  app.get(
    '/v1/reports/export',
    {
      schema: {
        operationId: 'exportComplianceReport',
        tags: ['reports'],
        summary: 'The monthly report as CSV, XLSX or a Vietnamese PDF with charts',
        description:
          'CSV and XLSX hold one row per agency and figure (numerator, denominator, percent) and, in XLSX, the Phụ lục 1–2 sheets; the PDF has the title block, the table and two charts. A report collector exports the province unless it names an agency; others export their own agency (another agency is 404).',
        querystring: ExportQuery,
        response: {
          200: {
            description: 'The report file',
            content: {
              'text/csv': { schema: { type: 'string' } },
              'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': {
                schema: { type: 'string', contentEncoding: 'binary' },
              },
              'application/pdf': { schema: { type: 'string', contentEncoding: 'binary' } },
            },
          },
          ...problemResponses(400, 401, 404),
        },
      },
    },
    async (request, reply) => {
      const exported = await exportReport(request.query, {
        ...reportingContext(request, deps, 'exportComplianceReport'),
        fonts: deps.fonts,
      });
      return reply
        .header('content-type', exported.mediaType)
        .header('content-disposition', contentDisposition('attachment', exported.fileName))
        .send(exported.bytes);
    },
  );

  app.post(
    '/v1/reports/submissions',
    {
      schema: {
        operationId: 'submitMonthlyReport',
        tags: ['reports'],
        summary: 'Send (or send again) the agency’s monthly report to the report collector (báo cáo hằng tháng)',
        description:
          'Generates the agency’s report of a month that has ended, stores it with its Vietnamese PDF as the next revision and publishes report.submitted. The month-start job does the same for every agency that has not submitted by the first working day of the next month. A repeat with the same Idempotency-Key returns the stored revision.',
        headers: IdempotencyKeyHeaders,
        body: NewSubmission,
        response: { 201: Submission, ...problemResponses(400, 401, 403) },
      },
    },
    async (request, reply) => {
      const outcome = await submitMonthlyReport(request.body, {
        ...reportingContext(request, deps, 'submitMonthlyReport'),
        fonts: deps.fonts,
        topicPrefix: deps.topicPrefix,
        sealer: deps.sealer,
      });
      return sendMutation(reply, outcome, {
        status: 201,
        location: `/v1/reports/submissions/${outcome.result.agencyCode}/${outcome.result.month}/pdf?revision=${outcome.result.revision}`,
      });
    },
  );

  app.get(
    '/v1/reports/submissions',
    {
      schema: {
        operationId: 'listReportSubmissions',
        tags: ['reports'],
        summary: 'Who has and has not submitted the month’s report',
        description:
          'A report collector sees every agency of the province with its latest revision or none; any member of an agency sees its own agency.',
        querystring: SubmissionsQuery,
        response: { 200: SubmissionsOverview, ...problemResponses(400, 401) },
      },
    },
    async (request) => listSubmissions(request.query, reportingContext(request, deps, 'listReportSubmissions')),
  );

  app.get(
    '/v1/reports/submissions/:agencyCode/:month/pdf',
    {
      schema: {
        operationId: 'getSubmittedReport',
        tags: ['reports'],
        summary: 'The submitted report’s PDF exactly as sent (the latest revision unless one is named)',
        description: 'Another agency’s report is 404 unless the caller is a report collector.',
        params: SubmittedPdfParams,
        querystring: SubmittedPdfQuery,
        response: {
          200: {
            description: 'The stored PDF',
            content: { 'application/pdf': { schema: { type: 'string', contentEncoding: 'binary' } } },
          },
          ...problemResponses(400, 401, 404),
        },
      },
    },
    async (request, reply) => {
      const found = await getSubmittedReport(
        { ...request.params, ...(request.query.revision ? { revision: request.query.revision } : {}) },
        reportingContext(request, deps, 'getSubmittedReport'),
      );
      return reply
        .header('content-type', 'application/pdf')
        .header('content-disposition', contentDisposition('attachment', found.fileName))
        .header('x-report-revision', String(found.submission.revision))
        .send(found.pdf);
    },
  );

  app.get(
    '/v1/reports/freshness',
    {
      schema: {
        operationId: 'getReportFreshness',
        tags: ['reports'],
        summary:
          'Up to which event each source topic is counted, the lag behind Kafka, and whether reports may be behind',
        description:
          'Per topic and partition: the offset of the last event counted, the consumer group’s committed offset and the broker’s high-water mark as last polled, and the lag. mayBeBehind is true when events were dead-lettered, events wait unread, or the broker has not answered lately (a report made during a Kafka outage cannot know what was published meanwhile).',
        response: { 200: FreshnessReport, ...problemResponses(401) },
      },
    },
    async (request) => getFreshness({}, reportingContext(request, deps, 'getReportFreshness')),
  );
}
